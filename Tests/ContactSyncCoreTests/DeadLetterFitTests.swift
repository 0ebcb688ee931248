import Foundation
import Testing

@testable import ContactSyncCore

/// A dead letter or result always fits the producer's limit (issue 11, item 2).
@Suite("Dead letters and results within a size limit")
struct DeadLetterFitTests {
    static let decidedAt = Timestamp(nanosecondsSinceEpoch: 1_795_000_000_000_000_000)
    static let error = SyncError(code: "malformed_json", message: "malformed JSON at byte 0: unexpected character")

    static func letter(key: [UInt8]? = Array("user-1".utf8), value: [UInt8]?, eventIDs: [String] = []) -> DeadLetterRecord {
        DeadLetterRecord(
            source: RecordSource(topic: "store.customer.profile-changed", partition: 0, offset: 7), key: key, value: value,
            error: error, decidedAt: decidedAt, externalID: nil, eventIDs: eventIDs)
    }

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func aSmallRecordIsCopiedWholeWithItsSizesAndDigests() throws {
        let value = Array("not json".utf8)
        let message = try #require(Self.letter(value: value).message(maxBytes: 1_000_000))
        #expect(!message.truncated)
        #expect(message.key == Array("user-1".utf8))
        #expect(message.value == Self.letter(value: value).jsonBytes())
        let json = try object(message.value)
        #expect(json["value_base64"] as? String == "bm90IGpzb24=")
        #expect(json["truncated"] as? Bool == false)
        #expect(json["value_size"] as? Int == 8)
        #expect(json["value_sha256"] as? String == SHA256.hexDigest(value))
        #expect(json["key_size"] as? Int == 6)
        #expect(json["key_sha256"] as? String == SHA256.hexDigest(Array("user-1".utf8)))
    }

    @Test func aTombstoneHasANullValueSizeAndDigest() throws {
        let json = try object(Self.letter(key: nil, value: nil).jsonBytes())
        #expect(json["value_base64"] is NSNull)
        #expect(json["value_size"] is NSNull)
        #expect(json["value_sha256"] is NSNull)
        #expect(json["key_base64"] is NSNull)
        #expect(json["truncated"] as? Bool == false)
    }

    @Test(arguments: [900_000, 1_048_576, 5_000_000])
    func aLargeValueIsCutToAPrefixThatFits(_ size: Int) throws {
        let value = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let limit = 1_000_000 - 128
        let message = try #require(Self.letter(value: value).message(maxBytes: limit))
        #expect(message.truncated)
        #expect(message.size <= limit)
        #expect(message.size > limit - 8, "the prefix uses the room there is (within one base64 group)")
        let json = try object(message.value)
        #expect(json["truncated"] as? Bool == true)
        #expect(json["value_size"] as? Int == size)
        #expect(json["value_sha256"] as? String == SHA256.hexDigest(value))
        let prefix = try #require((json["value_base64"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(Array(prefix) == Array(value.prefix(prefix.count)))
        #expect(json["key_base64"] as? String == "dXNlci0x", "a small key is kept whole")
    }

    @Test func aDeadLetterIsKeyedByItsExternalIDAndKeepsTheOriginalKeyAndHeaders() throws {
        var letter = Self.letter(key: Array("partition-key-7".utf8), value: Array("{}".utf8))
        letter.externalID = "cust-42"
        letter.headers = [RecordHeader(name: "traceparent", value: Array("00-ab-01".utf8)), RecordHeader(name: "flag", value: nil)]
        let message = try #require(letter.message(maxBytes: 1_000_000))
        #expect(message.key == Array("cust-42".utf8), "keyed like the contact's results")
        let json = try object(message.value)
        #expect(json["key_base64"] as? String == Base64.encode(Array("partition-key-7".utf8)), "the original key is kept")
        let headers = try #require(json["headers"] as? [[String: Any]])
        #expect(headers.count == 2)
        #expect(headers.first?["name"] as? String == "traceparent")
        #expect(headers.first?["value_base64"] as? String == Base64.encode(Array("00-ab-01".utf8)))
        #expect(headers.last?["value_base64"] is NSNull, "a header without a value stays without one")
    }

    @Test func aHugeKeyIsCutTooAndNotReusedAsTheMessageKey() throws {
        let key = [UInt8](repeating: 0x6B, count: 600_000)
        let value = [UInt8](repeating: 0x76, count: 600_000)
        let message = try #require(Self.letter(key: key, value: value).message(maxBytes: 100_000))
        #expect(message.key == nil)
        #expect(message.size <= 100_000)
        let json = try object(message.value)
        #expect(json["key_size"] as? Int == 600_000)
        let keyPrefix = try #require((json["key_base64"] as? String).flatMap { Data(base64Encoded: $0) })
        let valuePrefix = try #require((json["value_base64"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(keyPrefix.count > 30_000 && valuePrefix.count > 30_000, "the room is shared")
    }

    @Test func tooManyEventIDsAreCutFromTheEnd() throws {
        let ids = (0..<5_000).map { "event-\($0)-" + String(repeating: "x", count: 100) }
        let message = try #require(Self.letter(value: [1, 2, 3], eventIDs: ids).message(maxBytes: 50_000))
        #expect(message.size <= 50_000)
        let json = try object(message.value)
        let kept = try #require(json["event_ids"] as? [String])
        #expect(!kept.isEmpty && kept.count < ids.count)
        #expect(kept == Array(ids.prefix(kept.count)))
        #expect(json["truncated"] as? Bool == true)
    }

    @Test func noMessageWhenEvenTheSkeletonDoesNotFit() {
        #expect(Self.letter(value: [1]).message(maxBytes: 200) == nil)
    }

    @Test func aResultTooLargeForOneMessageIsSharedOutOverSeveral() throws {
        let ids = (0..<3_000).map { "evt-\($0)" }
        let sources = (0..<3_000).map { RecordSource(topic: "store.customer.login", partition: 1, offset: Int64($0)) }
        let record = ResultRecord(
            externalID: "u1", status: .synced, chatbotID: "123", eventIDs: ids, sources: sources, attempts: 1,
            httpStatus: 200, decidedAt: Self.decidedAt)
        #expect(record.split(toFit: 1_000_000)?.map(\.json) == [record.jsonBytes()])
        let parts = try #require(record.split(toFit: 20_000)).map(\.json)
        #expect(parts.count > 1)
        var seenIDs: [String] = []
        var seenOffsets: [Int] = []
        for part in parts {
            #expect(part.count <= 20_000)
            let json = try object(part)
            #expect(json["status"] as? String == "synced")
            seenIDs += try #require(json["event_ids"] as? [String])
            let partSources = try #require(json["sources"] as? [[String: Any]])
            #expect(!partSources.isEmpty)
            seenOffsets += partSources.compactMap { $0["offset"] as? Int }
        }
        #expect(seenIDs == ids)
        #expect(seenOffsets == Array(0..<3_000))
    }

    @Test func aSingleEventResultThatCannotFitHasNoParts() {
        let record = ResultRecord(
            externalID: "u1", status: .synced, chatbotID: "123", eventIDs: ["e"],
            sources: [RecordSource(topic: "t", partition: 0, offset: 0)], attempts: 1, decidedAt: Self.decidedAt)
        #expect(record.split(toFit: 100) == nil)
    }
}
