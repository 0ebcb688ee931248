import ContactSyncCore

/// The value types Bookbag's custom attributes can have (contracts section 2).
public enum SimAttributeType: String, Sendable, CaseIterable {
    case text, number, boolean, date
}

/// One custom attribute definition. Name and type are fixed once created.
public struct SimAttributeDefinition: Sendable, Equatable {
    public var name: String
    public var type: SimAttributeType
    public var label: String
    public var description: String?
    public var archived: Bool

    public init(
        name: String, type: SimAttributeType = .text, label: String? = nil,
        description: String? = nil, archived: Bool = false
    ) {
        self.name = name
        self.type = type
        self.label = label ?? name
        self.description = description
        self.archived = archived
    }

    /// `^[A-Za-z][A-Za-z0-9_-]{0,63}$`
    public static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= 64, isASCIILetter(first) else { return false }
        return utf8.allSatisfy { isASCIILetter($0) || isASCIIDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name")
        writer.string(name)
        writer.key("type")
        writer.string(type.rawValue)
        writer.key("label")
        writer.string(label)
        writer.key("description")
        writer.string(description)
        writer.key("archived")
        writer.bool(archived)
        writer.endObject()
    }
}

func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
}

func isASCIIDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
