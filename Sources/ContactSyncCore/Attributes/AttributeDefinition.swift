/// A custom attribute as Bookbag defines it. Name and type are fixed once created.
public struct AttributeDefinition: Sendable, Equatable {
    public var name: String
    public var type: AttributeType
    /// An archived attribute can only be set to `null`; the service leaves it out.
    public var archived: Bool

    public init(name: String, type: AttributeType, archived: Bool = false) {
        self.name = name
        self.type = type
        self.archived = archived
    }

    /// Bookbag's naming rule with our length cap: `^[A-Za-z][A-Za-z0-9_-]{0,63}$`.
    /// Bookbag refuses to create any other name.
    public static func isValidName(_ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        guard let first = utf8.next(), isLetter(first) else { return false }
        var length = 1
        while let byte = utf8.next() {
            length += 1
            guard length <= 64,
                isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            else { return false }
        }
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
