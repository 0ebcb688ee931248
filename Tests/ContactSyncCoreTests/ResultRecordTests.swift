import Foundation
import Testing

@testable import ContactSyncCore

@Suite("Result and dead-letter records")
struct ResultRecordTests {
    /// 2026-11-24T10:15:01.002Z, the contract's sample.
    static let decidedAt = Timestamp(
        nanosecondsSinceEpoch: (Timestamp.daysSinceEpoch(year: 2026, month: 11, day: 24) * 86_400 + 36_901)
            * 1_000_000_000 + 2_000_000)

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func syncedRecordMatchesTheContractSample() throws {
        let record = ResultRecord(
            externalID: "user_8821", status: .synced, chatbotID: "123", eventIDs: ["evt-1", "evt-7"],
            sources: [RecordSource(topic: "store.customer.login", partition: 0, offset: 41)], attempts: 1,
            httpStatus: 200, error: nil, ignoredAttributes: [], decidedAt: Self.decidedAt)
        let expected =
            #"{"schema":"contact-sync.result.v1","external_id":"user_8821","status":"synced","chatbot_id":"123","#
            + #""event_ids":["evt-1","evt-7"],"sources":[{"topic":"store.customer.login","partition":0,"offset":41}],"#
            + #""attempts":1,"http_status":200,"error":null,"ignored_attributes":[],"reason":null,"#
            + #""decided_at":"2026-11-24T10:15:01.002Z"}"#
        let bytes = record.jsonBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == expected)

        let parsed = try object(bytes)
        #expect(parsed.count == 12)
        #expect(parsed["schema"] as? String == "contact-sync.result.v1")
        #expect(parsed["event_ids"] as? [String] == ["evt-1", "evt-7"])
        let sources = try #require(parsed["sources"] as? [[String: Any]])
        #expect(sources.first?["offset"] as? Int == 41)
        #expect(parsed["error"] is NSNull)
    }

    @Test func anUnchangedRecordSaysWhy() throws {
        let record = ResultRecord(
            externalID: "user_8821", status: .unchanged, chatbotID: "123", eventIDs: ["evt-3"],
            sources: [RecordSource(topic: "store.customer.login", partition: 0, offset: 7)], attempts: 0,
            reason: UnchangedReason.olderThanStored.rawValue, decidedAt: Self.decidedAt)
        let parsed = try object(record.jsonBytes())
        #expect(parsed["reason"] as? String == "older_than_stored")
    }

    @Test func rejectedRecordWithoutExternalID() throws {
        let record = ResultRecord(
            externalID: nil, status: .rejected, chatbotID: "123", eventIDs: [],
            sources: [
                RecordSource(topic: "store.customer.profile-changed", partition: 3, offset: 9_000_000_000),
                RecordSource(topic: "t", partition: 0, offset: 1),
            ],
            attempts: 0, httpStatus: nil,
            error: SyncError(code: "bad_record", message: "value is not \"JSON\"\n"),
            ignoredAttributes: ["legacy", "tier"], decidedAt: Self.decidedAt)
        let expected =
            #"{"schema":"contact-sync.result.v1","external_id":null,"status":"rejected","chatbot_id":"123","#
            + #""event_ids":[],"sources":[{"topic":"store.customer.profile-changed","partition":3,"offset":9000000000},"#
            + #"{"topic":"t","partition":0,"offset":1}],"attempts":0,"http_status":null,"#
            + #""error":{"code":"bad_record","message":"value is not \"JSON\"\n"},"#
            + #""ignored_attributes":["legacy","tier"],"reason":null,"decided_at":"2026-11-24T10:15:01.002Z"}"#
        let bytes = record.jsonBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == expected)

        let parsed = try object(bytes)
        #expect(parsed["external_id"] is NSNull)
        #expect(parsed["http_status"] is NSNull)
        let error = try #require(parsed["error"] as? [String: String])
        #expect(error == ["code": "bad_record", "message": "value is not \"JSON\"\n"])
    }

    @Test func deadLetterExactBytes() throws {
        let record = DeadLetterRecord(
            source: RecordSource(topic: "store.customer.login", partition: 2, offset: 77),
            key: Array("user_8821".utf8), value: [0xFF, 0xFE, 0x00],
            error: SyncError(code: SyncError.Code.bookbagRejected, message: "Bookbag refused the contact"),
            decidedAt: Self.decidedAt, externalID: "user_8821", eventIDs: ["evt-9"])
        let expected =
            #"{"schema":"contact-sync.dead-letter.v1","source":{"topic":"store.customer.login","partition":2,"offset":77},"#
            + #""key_base64":"dXNlcl84ODIx","value_base64":"//4A","truncated":false,"#
            + #""key_size":9,"key_sha256":"e677901b5160cdb5d3cbc225b7b7255dd9ca02631198b8f5f0a91df6524b9282","#
            + #""value_size":3,"value_sha256":"ba778c0261008c8f71ae4061ad0162ffcbe63b52c91f89f236738131d1217ec7","#
            + #""error":{"code":"bookbag_rejected","message":"Bookbag refused the contact"},"#
            + #""decided_at":"2026-11-24T10:15:01.002Z","external_id":"user_8821","event_ids":["evt-9"],"headers":[]}"#
        let bytes = record.jsonBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == expected)

        let parsed = try object(bytes)
        #expect(parsed.count == 14)
        let value = try #require(parsed["value_base64"] as? String)
        #expect(Data(base64Encoded: value) == Data([0xFF, 0xFE, 0x00]))
    }

    @Test func deadLetterWithoutKeyValueOrID() throws {
        let record = DeadLetterRecord(
            source: RecordSource(topic: "t", partition: 0, offset: 0), key: nil, value: nil,
            error: SyncError(code: "c", message: "m"), decidedAt: Timestamp(nanosecondsSinceEpoch: 0))
        let expected =
            #"{"schema":"contact-sync.dead-letter.v1","source":{"topic":"t","partition":0,"offset":0},"#
            + #""key_base64":null,"value_base64":null,"truncated":false,"key_size":null,"key_sha256":null,"#
            + #""value_size":null,"value_sha256":null,"error":{"code":"c","message":"m"},"#
            + #""decided_at":"1970-01-01T00:00:00.000Z","external_id":null,"event_ids":[],"headers":[]}"#
        #expect(String(decoding: record.jsonBytes(), as: UTF8.self) == expected)
        let parsed = try object(record.jsonBytes())
        #expect(parsed["key_base64"] is NSNull && parsed["external_id"] is NSNull)
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64RFC4648Vectors(input: String, expected: String) {
        #expect(Base64.encode(Array(input.utf8)) == expected)
    }

    @Test func base64MatchesFoundationForAllLengthsAndNonContiguousInput() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ length &* 31) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
            #expect(Base64.encode(bytes.lazy.map { $0 }) == Data(bytes).base64EncodedString())
        }
        #expect(Base64.encode(repeatElement(UInt8(0xFF), count: 4)) == "/////w==")
        #expect(Base64.encode(Array(0...255)).contains("+") && Base64.encode(Array(0...255)).contains("/"))
    }

    @Test func errorCodesAndOutcomeMapping() {
        #expect(SyncError.Code.bookbagRejected == "bookbag_rejected")
        #expect(SyncError.Code.bookbagUndefinedAttribute == "bookbag_undefined_attribute")
        #expect(SyncError.Code.bookbagEntryError == "bookbag_entry_error")
        #expect(SyncError.Code.retryBudgetExhausted == "retry_budget_exhausted")
        #expect(SyncError.Code.configurationError == "configuration_error")

        #expect(SyncError.forFinal(.accepted(entryErrors: [:]), attempts: 1) == nil)
        #expect(SyncError.forFinal(.refused(status: 400, message: "x"), attempts: 1)?.code == "bookbag_rejected")
        #expect(
            SyncError.forFinal(.undefinedAttribute(status: 422, message: "x"), attempts: 2)?.code
                == "bookbag_undefined_attribute")
        #expect(SyncError.forFinal(.configuration(status: 401, message: "x"), attempts: 1)?.code == "configuration_error")
        let exhausted = SyncError.forFinal(.transient(status: nil, message: "connection reset"), attempts: 8)
        #expect(exhausted == SyncError(code: "retry_budget_exhausted", message: "gave up after 8 attempts: connection reset"))
        #expect(SyncError.forFinal(.rateLimited(retryAfter: nil), attempts: 8)?.code == "retry_budget_exhausted")
        #expect(
            SyncError.forFinal(.transient(status: 503, message: "server error"), attempts: 2)?.message
                == "gave up after 2 attempts: HTTP 503: server error")
        // Transport messages do not pass through the classifier; they are cleaned here.
        let leaky = SyncError.forFinal(.transient(status: nil, message: "proxy said\nBearer oc_secret"), attempts: 1)
        #expect(leaky?.message == "gave up after 1 attempts: proxy said Bearer [redacted]")
        #expect(SyncError.entryError(message: "bad email").code == "bookbag_entry_error")
        #expect(SyncStatus.allCasesInContract == ["synced", "unchanged", "rejected", "failed"])
    }
}

extension SyncStatus {
    fileprivate static var allCasesInContract: [String] {
        [SyncStatus.synced, .unchanged, .rejected, .failed].map(\.rawValue)
    }
}
