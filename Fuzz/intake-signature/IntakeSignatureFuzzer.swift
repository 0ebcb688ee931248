/// libFuzzer target: the webhook signature headers through
/// `WebhookSignatureHeader.v1Signatures` and `WebhookVerifier.verify`.
///
/// Input: 1 byte of flags, 2 bytes of a signed clock skew in seconds
/// (little-endian), then `webhook-id`, `webhook-timestamp` and
/// `webhook-signature` separated by NUL bytes, and the body (the rest).
/// Flags: bit 0 appends ` v1,<the true MAC>` to the signature header (the
/// fuzzer cannot find an HMAC by chance), bits 1-3 drop the id, timestamp or
/// signature header, bit 4 verifies with two secrets (rotation).
/// `now` is the timestamp's value plus the skew, so most inputs get past the
/// tolerance check.
/// Invariants: nothing traps; a header over its bounds reads as nil; a
/// verdict is `verified` exactly when the headers are well formed, the time is
/// within tolerance and some v1 entry is the canonical base64 of the true MAC
/// (computed here over the concatenated content, independently of the
/// verifier's piecewise feed); a rejection has a known code and a message that
/// shows neither the secret nor the MAC.
func fuzzIntakeSignature(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 3 else { return 0 }
    var reader = FuzzBytes(UnsafeBufferPointer(start: data, count: size))
    let flags = reader.uint8()
    let skew = Int64(Int16(bitPattern: reader.uint16()))
    var parts = reader.rest.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map(Array.init)
    while parts.count < 4 { parts.append([]) }
    let id = String(decoding: parts[0], as: UTF8.self)
    let timestamp = String(decoding: parts[1], as: UTF8.self)
    var header = String(decoding: parts[2], as: UTF8.self)
    let body = parts[3]

    let trueMAC = HMACSHA256.authenticationCode(key: IntakeSignatureFuzz.secret.key, message: content(id, timestamp, body))
    if flags & 1 != 0 { header += " v1," + Base64.encode(trueMAC) }
    IntakeSignatureFuzz.checkHeader(header)

    let value = timestampValue(timestamp)
    let now = value.map { Int64(clamping: $0) &+ skew } ?? 1_795_515_300
    let verifier = flags & 16 != 0 ? IntakeSignatureFuzz.rotating : IntakeSignatureFuzz.single
    let given = (
        id: flags & 2 != 0 ? nil : id, timestamp: flags & 4 != 0 ? nil : timestamp,
        signature: flags & 8 != 0 ? nil : header
    )
    let verdict = verifier.verify(id: given.id, timestamp: given.timestamp, signature: given.signature, body: body, now: now)

    // The oracle: the rules written out plainly.
    let idOK = (1...256).contains(id.utf8.count) && id.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    let inTime = value.map { $0 <= UInt64(Int64.max) && abs(Int128(now) - Int128($0)) <= 300 } ?? false
    let entries = IntakeSignatureFuzz.entries(header)
    let headerOK = header.utf8.count <= 4096 && entries.count <= 32
    let carriesMAC = entries.contains(Array(("v1," + Base64.encode(trueMAC)).utf8))
    let shouldPass = given.id != nil && given.timestamp != nil && given.signature != nil && idOK && inTime
        && headerOK && carriesMAC

    switch verdict {
    case .verified(let verifiedID, let verifiedTimestamp):
        require(shouldPass, "verified without the true MAC or with bad headers: \(Array(reader.rest))")
        require(verifiedID == id && UInt64(verifiedTimestamp) == value, "verified the wrong id or timestamp")
    case .rejected(let rejection):
        require(!shouldPass, "refused a correctly signed request with \(rejection.code)")
        IntakeSignatureFuzz.checkRejection(rejection, trueMAC: trueMAC)
    }
    return 0
}

/// `id.timestamp.body`, as one array (the verifier feeds the parts separately).
private func content(_ id: String, _ timestamp: String, _ body: [UInt8]) -> [UInt8] {
    Array(id.utf8) + [UInt8(ascii: ".")] + Array(timestamp.utf8) + [UInt8(ascii: ".")] + body
}

/// 1 to 19 ASCII digits as a number, else nil.
private func timestampValue(_ text: String) -> UInt64? {
    guard (1...19).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return UInt64(text)
}

enum IntakeSignatureFuzz {
    /// The Standard Webhooks specification's example secret, so its example is a seed that verifies.
    static let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let secret = try! WebhookSecret(parsing: secretText)
    static let other = try! WebhookSecret(parsing: "whsec_" + Base64.encode([UInt8](repeating: 0x42, count: 32)))
    static let single = WebhookVerifier(secrets: [secret])
    static let rotating = WebhookVerifier(secrets: [other, secret])

    static let codes: Set<String> = [
        "missing_webhook_id", "missing_webhook_timestamp", "missing_webhook_signature", "invalid_webhook_id",
        "invalid_timestamp", "timestamp_too_old", "timestamp_too_new", "malformed_signature", "no_matching_signature",
    ]

    static func checkHeader(_ header: String) {
        let signatures = WebhookSignatureHeader.v1Signatures(header)
        let entries = entries(header)
        if header.utf8.count > 4096 || entries.count > 32 {
            require(signatures == nil, "an oversized header was read")
            return
        }
        guard let signatures else { fail("a header within bounds read as nil") }
        // Each signature read is the canonical spelling of a v1 entry, in order.
        let v1 = entries.filter { $0.starts(with: Array("v1,".utf8)) }.map { Array($0.dropFirst(3)) }
        let spelled = signatures.map { Array(Base64.encode($0).utf8) }
        require(spelled.allSatisfy { !$0.isEmpty }, "an empty signature was read")
        var remaining = v1[...]
        for text in spelled {
            guard let found = remaining.firstIndex(of: text) else { fail("signature \(text) is not a v1 entry, in order") }
            remaining = remaining[(found + 1)...]
        }
    }

    /// The header's space-separated entries, as bytes (as Characters, a space
    /// followed by a combining mark would not be a separator).
    static func entries(_ header: String) -> [[UInt8]] {
        header.utf8.split(separator: UInt8(ascii: " ")).map(Array.init)
    }

    static func checkRejection(_ rejection: WebhookRejection, trueMAC: [UInt8]) {
        require(codes.contains(rejection.code), "unknown code \(rejection.code)")
        let message = rejection.message
        require(!message.isEmpty && message.utf8.count <= 300, "bad message length: \(message.debugDescription)")
        require(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control character in message")
        let hex = trueMAC.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        for secretText in [Base64.encode(trueMAC).prefix(16), hex.prefix(16), secretText.dropFirst(6).prefix(16)] {
            require(!message.contains(secretText), "message shows a secret or the MAC: \(message.debugDescription)")
        }
    }
}
