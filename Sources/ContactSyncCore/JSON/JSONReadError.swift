/// Why the byte-level JSON reader stopped. The event decoder turns it into a
/// `RejectReason` (`malformed_json` or `too_deep`).
public struct JSONReadError: Error, Equatable {
    public enum Kind: Equatable, Sendable {
        /// The bytes break the JSON grammar (RFC 8259).
        case malformed
        /// Containers nest deeper than the caller's limit.
        case tooDeep
    }

    public let kind: Kind
    /// Byte offset in the value where reading stopped.
    public let offset: Int
    /// What was expected or found, for a person.
    public let detail: String

    static func malformed(_ detail: String, at offset: Int) -> JSONReadError {
        JSONReadError(kind: .malformed, offset: offset, detail: detail)
    }

    static func tooDeep(limit: Int, at offset: Int) -> JSONReadError {
        JSONReadError(kind: .tooDeep, offset: offset, detail: "nesting deeper than \(limit) levels")
    }
}
