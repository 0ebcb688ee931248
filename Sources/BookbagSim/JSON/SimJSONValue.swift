/// A parsed JSON value. The simulator parses request bodies itself so that it can tell
/// booleans from numbers exactly and stay fast on large upsert bodies.
public enum SimJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([SimJSONValue])
    /// Duplicate keys: the last one wins, as in most JSON parsers.
    case object([String: SimJSONValue])

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: SimJSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [SimJSONValue]? {
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

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short type name for error messages.
    var typeName: String {
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
