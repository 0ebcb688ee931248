import Testing

@testable import ContactSyncCore

@Suite("WebhookVerifier")
struct WebhookVerifierTests {
    // The Standard Webhooks specification's published example.
    private static let specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    private static let specID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    private static let specTimestamp: Int64 = 1_614_265_330
    private static let specBody = Array(#"{"test": 2432232314}"#.utf8)
    private static let specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    private static let otherSecret = "whsec_" + Base64.encode([UInt8](repeating: 0x42, count: 32))

    private static func secret(_ text: String) -> WebhookSecret {
        // The texts here are known good.
        try! WebhookSecret(parsing: text)
    }

    private static let verifier = WebhookVerifier(secrets: [secret(specSecret)])

    /// A v1 entry computed over the concatenated content (the verifier feeds it in pieces).
    private static func sign(_ secretText: String, id: String, timestamp: String, body: [UInt8]) -> String {
        let content = Array(id.utf8) + [UInt8(ascii: ".")] + Array(timestamp.utf8) + [UInt8(ascii: ".")] + body
        return "v1," + Base64.encode(HMACSHA256.authenticationCode(key: secret(secretText).key, message: content))
    }

    private func verifySpec(
        verifier: WebhookVerifier = Self.verifier, id: String? = Self.specID,
        timestamp: String? = String(Self.specTimestamp), signature: String? = Self.specSignature,
        body: [UInt8] = Self.specBody, now: Int64 = Self.specTimestamp
    ) -> WebhookVerdict {
        verifier.verify(id: id, timestamp: timestamp, signature: signature, body: body, now: now)
    }

    private func code(_ verdict: WebhookVerdict) -> String? {
        if case .rejected(let rejection) = verdict { return rejection.code }
        return nil
    }

    // MARK: Passing

    @Test func theSpecificationsExampleVerifies() {
        #expect(verifySpec() == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        #expect(Self.sign(Self.specSecret, id: Self.specID, timestamp: "1614265330", body: Self.specBody) == Self.specSignature)
    }

    /// Made with the Python `standardwebhooks` package (1.1.0):
    /// `Webhook("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    /// datetime.fromtimestamp(1795515300, tz=timezone.utc), payload)` with the body below as `payload`
    /// (it signs the UTF-8 of `id.timestamp.payload`; "Zoë" checks non-ASCII bytes).
    @Test func aVectorSignedByThePythonLibraryVerifies() {
        let secret = Self.secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        let body = Array(
            (#"{"events":[{"type":"profile_changed","event_id":"evt-9","occurred_at":"2026-11-24T10:15:00.123Z","#
                + #""external_id":"user_8821","name":"Zoë"}]}"#).utf8)
        let verdict = WebhookVerifier(secrets: [secret]).verify(
            id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp: "1795515300",
            signature: "v1,YlF0Xy+YYfeUq4+u81RqMOv9dFJTJQjz5UrfFYG3nKs=", body: body[...], now: 1_795_515_300)
        #expect(verdict == .verified(id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp: 1_795_515_300))
    }

    @Test func anyConfiguredSecretPassesForRotation() {
        let both = WebhookVerifier(secrets: [Self.secret(Self.otherSecret), Self.secret(Self.specSecret)])
        #expect(verifySpec(verifier: both) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        let newSigned = Self.sign(Self.otherSecret, id: Self.specID, timestamp: "1614265330", body: Self.specBody)
        #expect(verifySpec(verifier: both, signature: newSigned) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        #expect(code(verifySpec(signature: newSigned)) == "no_matching_signature")
    }

    @Test func oneGoodEntryAmongBadOnesPasses() {
        let wrong = Self.sign(Self.otherSecret, id: Self.specID, timestamp: "1614265330", body: Self.specBody)
        let header = "v1a,AAAA \(wrong) v1,%%%% v1,AAAAAAAA   \(Self.specSignature) v2,BBBB"
        #expect(verifySpec(signature: header) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
    }

    @Test func timestampsWithinToleranceAndLeadingZerosPass() {
        #expect(verifySpec(now: Self.specTimestamp + 300) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        #expect(verifySpec(now: Self.specTimestamp - 300) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        // The timestamp is signed as sent: with leading zeros the sender signs them too.
        let padded = "0001614265330"
        let signature = Self.sign(Self.specSecret, id: Self.specID, timestamp: padded, body: Self.specBody)
        #expect(verifySpec(timestamp: padded, signature: signature) == .verified(id: Self.specID, timestamp: Self.specTimestamp))
        #expect(code(verifySpec(timestamp: padded)) == "no_matching_signature")
    }

    @Test func idsOfAnyPrintableASCIIUpTo256BytesPass() {
        let id = String(repeating: "~!", count: 128)
        let signature = Self.sign(Self.specSecret, id: id, timestamp: "1614265330", body: Self.specBody)
        #expect(verifySpec(id: id, signature: signature) == .verified(id: id, timestamp: Self.specTimestamp))
    }

    // MARK: Refused

    @Test func aTamperedBodyIsRefused() {
        var body = Self.specBody
        body[body.count - 2] ^= 0x01
        #expect(code(verifySpec(body: body)) == "no_matching_signature")
        #expect(code(verifySpec(body: Self.specBody + [0x20])) == "no_matching_signature")
        #expect(code(verifySpec(body: [])) == "no_matching_signature")
        #expect(code(verifySpec(id: "msg_p5jXN8AQM9LWM0D4loKWxJel")) == "no_matching_signature")
    }

    @Test func aWrongSecretIsRefused() {
        let verifier = WebhookVerifier(secrets: [Self.secret(Self.otherSecret)])
        #expect(code(verifySpec(verifier: verifier)) == "no_matching_signature")
        #expect(code(verifySpec(verifier: WebhookVerifier(secrets: []))) == "no_matching_signature")
    }

    @Test func sixMinutesOldOrAheadIsRefused() {
        #expect(code(verifySpec(now: Self.specTimestamp + 360)) == "timestamp_too_old")
        #expect(code(verifySpec(now: Self.specTimestamp - 360)) == "timestamp_too_new")
        #expect(code(verifySpec(now: Self.specTimestamp + 301)) == "timestamp_too_old")
        #expect(code(verifySpec(now: Self.specTimestamp - 301)) == "timestamp_too_new")
        let strict = WebhookVerifier(secrets: [Self.secret(Self.specSecret)], tolerance: .seconds(30))
        #expect(code(verifySpec(verifier: strict, now: Self.specTimestamp + 31)) == "timestamp_too_old")
        #expect(code(verifySpec(verifier: strict, now: Self.specTimestamp + 30)) == nil)
        // Far ends: a 19-digit timestamp beyond Int64 and a negative clock do not overflow.
        #expect(code(verifySpec(timestamp: "9999999999999999999")) == "timestamp_too_new")
        #expect(code(verifySpec(timestamp: "9223372036854775807", now: .min)) == "timestamp_too_new")
        #expect(code(verifySpec(timestamp: "0", now: .max)) == "timestamp_too_old")
    }

    @Test func eachMissingHeaderIsNamedInOrder() {
        #expect(code(verifySpec(id: nil)) == "missing_webhook_id")
        #expect(code(verifySpec(timestamp: nil)) == "missing_webhook_timestamp")
        #expect(code(verifySpec(signature: nil)) == "missing_webhook_signature")
        #expect(code(verifySpec(id: nil, timestamp: nil, signature: nil)) == "missing_webhook_id")
        #expect(code(verifySpec(timestamp: nil, signature: nil)) == "missing_webhook_timestamp")
        #expect(code(verifySpec(id: "has space", timestamp: "x")) == "invalid_webhook_id")
        #expect(code(verifySpec(timestamp: "x", signature: String(repeating: "v1,AAAA ", count: 40))) == "invalid_timestamp")
        #expect(code(verifySpec(signature: String(repeating: "v1,AAAA ", count: 40), now: Self.specTimestamp + 3600)) == "timestamp_too_old")
    }

    @Test(arguments: ["", "has space", "tab\there", "ünïcode", String(repeating: "a", count: 257), "del\u{7F}"])
    func invalidIDsAreRefused(_ id: String) {
        #expect(code(verifySpec(id: id)) == "invalid_webhook_id")
    }

    @Test(arguments: [
        "", "-1614265330", "+1614265330", "1614265330.0", " 1614265330", "1614265330 ", "1e9", "0x60367F72",
        "16142653３0", "12345678901234567890",
    ])
    func invalidTimestampsAreRefused(_ timestamp: String) {
        #expect(code(verifySpec(timestamp: timestamp)) == "invalid_timestamp")
    }

    @Test func nonV1EntriesAreIgnored() {
        let onlyOthers = "v1a," + String(Self.specSignature.dropFirst(3)) + " v2," + String(Self.specSignature.dropFirst(3))
        #expect(code(verifySpec(signature: onlyOthers)) == "no_matching_signature")
        #expect(code(verifySpec(signature: "")) == "no_matching_signature")
    }

    @Test func anOversizedSignatureHeaderIsRefused() {
        let many = Array(repeating: Self.specSignature, count: 33).joined(separator: " ")
        #expect(code(verifySpec(signature: many)) == "malformed_signature")
        let long = Self.specSignature + String(repeating: " ", count: 4096)
        #expect(code(verifySpec(signature: long)) == "malformed_signature")
        // 32 entries are read, and the good one among them passes.
        let thirtyTwo = Array(repeating: "v1,AAAA", count: 31).joined(separator: " ") + " " + Self.specSignature
        #expect(code(verifySpec(signature: thirtyTwo)) == nil)
    }

    /// No message gives away the secret or the MAC the verifier expected,
    /// in any spelling an attacker could use.
    @Test func noRejectionMessageRevealsTheSecretOrTheExpectedSignature() {
        let key = Self.secret(Self.specSecret).key
        var forbidden: [String] = [Self.specSecret, String(Self.specSecret.dropFirst(6))]
        func spellings(_ bytes: [UInt8]) -> [String] {
            let base64 = Base64.encode(bytes)
            let urlSafe = String(base64.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
            let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            // Any 12-character piece would already say too much.
            return [base64, urlSafe, hex, hex.uppercased()].flatMap { whole in
                stride(from: 0, to: whole.count - 12, by: 4).map { String(whole.dropFirst($0).prefix(12)) }
            }
        }
        forbidden += spellings(key)
        var rejections: [WebhookRejection] = []
        let cases: [(String?, String?, String?, [UInt8], Int64)] = [
            (nil, "1614265330", Self.specSignature, Self.specBody, Self.specTimestamp),
            (Self.specID, nil, Self.specSignature, Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265330", nil, Self.specBody, Self.specTimestamp),
            ("bad id", "1614265330", Self.specSignature, Self.specBody, Self.specTimestamp),
            (Self.specID, "soon", Self.specSignature, Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265330", Self.specSignature, Self.specBody, Self.specTimestamp + 3600),
            (Self.specID, "1614265330", Self.specSignature, Self.specBody, Self.specTimestamp - 3600),
            (Self.specID, "1614265330", String(repeating: "v1,AAAA ", count: 33), Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265330", "v1a,AAAA", Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265330", "v1,AAAA", Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265331", Self.specSignature, Self.specBody, Self.specTimestamp),
            (Self.specID, "1614265330", Self.specSignature, Array("{}".utf8), Self.specTimestamp),
        ]
        for (id, timestamp, signature, body, now) in cases {
            let verdict = Self.verifier.verify(id: id, timestamp: timestamp, signature: signature, body: body, now: now)
            guard case .rejected(let rejection) = verdict else {
                Issue.record("expected a rejection for \(String(describing: id)) \(String(describing: timestamp))")
                continue
            }
            rejections.append(rejection)
            // The MAC it expected for this very request.
            if let id, let timestamp {
                let content = Array(id.utf8) + [0x2E] + Array(timestamp.utf8) + [0x2E] + body
                forbidden += spellings(HMACSHA256.authenticationCode(key: key, message: content))
            }
        }
        #expect(Set(rejections.map(\.code)).count == 9)  // every code
        for rejection in rejections {
            #expect(!rejection.message.isEmpty)
            for secret in forbidden {
                #expect(!rejection.message.contains(secret), "\(rejection.code) message shows \(secret)")
            }
        }
    }
}
