/// One Standard Webhooks signing secret: `whsec_` and the key in standard
/// base64. Printing it (logs, `dump`, string interpolation) shows `<redacted>`.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let prefix = "whsec_"
    /// Standard Webhooks secrets are 24 to 64 bytes; anything up to 128 is taken.
    public static let keySizes = 1...128

    /// The HMAC key (the decoded base64).
    public let key: [UInt8]

    /// Reads `whsec_<base64>`, ignoring whitespace around it.
    public init(parsing text: String) throws(WebhookSecretError) {
        let bytes = Array(text.utf8)
        let start = bytes.firstIndex(where: { !Self.isWhitespace($0) }) ?? bytes.endIndex
        let end = bytes.lastIndex(where: { !Self.isWhitespace($0) }).map { $0 + 1 } ?? start
        let trimmed = bytes[start..<end]
        let prefix = Self.prefix.utf8
        guard trimmed.starts(with: prefix) else { throw .missingPrefix }
        guard let key = Base64.decode(trimmed.dropFirst(prefix.count)) else { throw .notBase64 }
        guard Self.keySizes.contains(key.count) else { throw .wrongKeySize }
        self.key = key
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
