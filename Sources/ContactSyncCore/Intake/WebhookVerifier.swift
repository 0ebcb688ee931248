/// Checks a webhook request's Standard Webhooks (v1) signature headers
/// against the configured secrets. Pure: the caller passes the time.
///
/// The signed content is `webhook-id "." webhook-timestamp "." body`, each as
/// received; its HMAC-SHA256 under any one secret must equal any one `v1`
/// entry of `webhook-signature`. Several secrets allow rotation: a sender may
/// sign with the old or the new one while both are configured.
public struct WebhookVerifier: Sendable {
    /// Standard Webhooks ids are short (`msg_` and a KSUID); this bounds what is logged and stored.
    public static let maxIDBytes = 256
    /// 19 digits hold any Unix time in seconds that fits in an Int64.
    static let maxTimestampDigits = 19

    /// One HMAC per secret, keyed and fed nothing yet (copied for each request).
    private let keyedMACs: [HMACSHA256]
    /// Whole seconds; a fraction of a second cannot change a comparison of whole-second times.
    private let toleranceSeconds: Int64

    public init(secrets: [WebhookSecret], tolerance: Duration = .seconds(300)) {
        keyedMACs = secrets.map { HMACSHA256(key: $0.key) }
        toleranceSeconds = max(0, tolerance.components.seconds)
    }

    /// `now` in Unix seconds. Headers are the raw header values (nil when missing).
    public func verify(
        id: String?, timestamp: String?, signature: String?, body: some Collection<UInt8>, now: Int64
    ) -> WebhookVerdict {
        guard let id else { return .rejected(.missingID) }
        guard let timestamp else { return .rejected(.missingTimestamp) }
        guard let signature else { return .rejected(.missingSignature) }
        guard Self.isValidID(id) else { return .rejected(.invalidID(bytes: id.utf8.count)) }
        guard let seconds = Self.unixSeconds(timestamp) else { return .rejected(.invalidTimestamp) }
        // Int128: the difference of two Int64 values cannot overflow it.
        let age = Int128(now) - Int128(seconds)
        if age > Int128(toleranceSeconds) { return .rejected(.timestampTooOld(by: age, tolerance: toleranceSeconds)) }
        // A 19-digit value beyond Int64 is centuries ahead of any real clock.
        if -age > Int128(toleranceSeconds) || seconds > UInt64(Int64.max) {
            return .rejected(.timestampTooNew(by: -age, tolerance: toleranceSeconds))
        }
        guard let given = WebhookSignatureHeader.v1Signatures(signature) else { return .rejected(.malformedSignature) }
        guard !given.isEmpty else { return .rejected(.noV1Signature) }
        for keyed in keyedMACs {
            var mac = keyed
            mac.update(id.utf8)
            mac.update(CollectionOfOne(Self.dot))
            mac.update(timestamp.utf8)
            mac.update(CollectionOfOne(Self.dot))
            mac.update(body)
            let expected = mac.finalize()
            for candidate in given where ConstantTime.equal(candidate, expected) {
                return .verified(id: id, timestamp: Int64(seconds))
            }
        }
        return .rejected(.noMatchingSignature)
    }

    private static let dot = UInt8(ascii: ".")

    /// 1 to `maxIDBytes` bytes of printable ASCII without space (0x21...0x7E).
    static func isValidID(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...maxIDBytes).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The value of 1 to 19 decimal digits (leading zeros allowed), which may exceed Int64.
    static func unixSeconds(_ text: String) -> UInt64? {
        let bytes = text.utf8
        guard (1...maxTimestampDigits).contains(bytes.count) else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard JSONByte.isDigit(byte) else { return nil }
            // 19 digits are below 10^19 < UInt64.max: no overflow.
            value = value * 10 + UInt64(byte &- JSONByte.zero)
        }
        return value
    }
}
