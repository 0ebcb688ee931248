/// Where a JSON string's contents lie in the input (between the quotes), and
/// whether they hold escapes. Without escapes the bytes are the string itself.
struct JSONStringToken: Equatable {
    /// Offset of the first content byte (just after the opening quote).
    let start: Int
    /// Offset of the closing quote.
    let end: Int
    let hasEscapes: Bool

    var rawByteCount: Int { end &- start }
}
