/// A JSON value as a tree, for callers that need the whole document (the
/// simulator's request bodies). The event path reads bytes with `JSONByteReader`
/// instead and builds no tree.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Duplicate keys: the last one wins, as in most JSON parsers.
    case object([String: JSONValue])

    /// The one value `bytes` hold (whitespace around it allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 32) throws(JSONReadError) -> JSONValue {
        var reader = JSONByteReader(bytes: bytes)
        let value = try reader.readValue(maxDepth: maxDepth)
        try reader.expectEnd()
        return value
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONReadError) -> JSONValue {
        // withUnsafeBytes only rethrows untyped errors, so carry the outcome out as a Result.
        let outcome = bytes.withUnsafeBytes { bytes in
            Result { () throws(JSONReadError) in try parse(bytes, maxDepth: maxDepth) }
        }
        return try outcome.get()
    }

    public static func parse(_ text: String, maxDepth: Int = 32) throws(JSONReadError) -> JSONValue {
        var text = text
        // withUTF8 only rethrows untyped errors, so carry the outcome out as a Result.
        let outcome = text.withUTF8 { utf8 in
            Result { () throws(JSONReadError) in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }
        return try outcome.get()
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A short type name for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONWriter {
    /// Object members in key order, so the output is stable across runs.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements): array { for element in elements { $0.value(element) } }
        case .object(let members):
            object {
                for name in members.keys.sorted() {
                    $0.key(name)
                    $0.value(members[name]!)
                }
            }
        }
    }
}
