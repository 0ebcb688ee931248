/// A Bookbag custom attribute type (contracts section 2).
public enum AttributeType: String, Sendable, Hashable {
    case text, number, boolean, date

    /// The type a first value implies (contracts section 5): a string is text,
    /// except an RFC 3339 timestamp string, which is a date. `null` implies nothing.
    public static func inferred(from value: AttributeValue) -> AttributeType? {
        switch value {
        case .string(let text): return Timestamp.parseRFC3339(text) == nil ? .text : .date
        case .number: return .number
        case .bool: return .boolean
        case .null: return nil
        }
    }

    /// Whether an attribute of this type can hold `value`. `null` always fits.
    public func accepts(_ value: AttributeValue) -> Bool {
        switch (self, value) {
        case (_, .null), (.text, .string), (.number, .number), (.boolean, .bool): return true
        case (.date, .string(let text)): return Timestamp.parseRFC3339(text) != nil
        default: return false
        }
    }
}
