/// Reads the `webhook-signature` header: space-separated `version,base64`
/// entries, e.g. `v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1a,...`.
public enum WebhookSignatureHeader {
    /// Bounds on what is read, so a hostile header costs little. A sender
    /// rotating secrets sends one entry per secret: a few, not dozens.
    public static let maxBytes = 4096
    public static let maxEntries = 32

    /// The decoded signatures of the `v1` entries, in order. Other versions
    /// (e.g. `v1a`, asymmetric) and entries whose base64 does not decode (or
    /// is empty) are skipped, so an empty array means no usable v1 entry. Nil when the header
    /// is longer than `maxBytes` or has more than `maxEntries` entries.
    public static func v1Signatures(_ header: String) -> [[UInt8]]? {
        let bytes = header.utf8
        guard bytes.count <= maxBytes else { return nil }
        // Any number of spaces separate entries.
        let entries = bytes.split(separator: UInt8(ascii: " "))
        guard entries.count <= maxEntries else { return nil }
        var signatures: [[UInt8]] = []
        for entry in entries {
            guard let comma = entry.firstIndex(of: UInt8(ascii: ",")) else { continue }
            guard entry[..<comma].elementsEqual(version.utf8) else { continue }
            if let signature = Base64.decode(entry[entry.index(after: comma)...]), !signature.isEmpty {
                signatures.append(signature)
            }
        }
        return signatures
    }

    private static let version = "v1"
}
