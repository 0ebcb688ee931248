import BookbagSim
import ContactSync
import Foundation
import Testing

/// Every kind of bad input becomes a `rejected` result with its own error code
/// and a dead letter, and none of it stops the records behind it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BadInputTests {
    static func event(_ id: String, externalID: String = "bad-input-user", extra: String = "") -> String {
        #"{"type":"profile_changed","event_id":"\#(id)","occurred_at":"2026-11-24T10:00:00Z","external_id":"\#(externalID)"\#(extra)}"#
    }

    /// (what, value bytes, expected error code)
    static let cases: [(String, [UInt8], String)] = {
        let manyAttributes = (0...100).map { #""a\#($0)":1"# }.joined(separator: ",")
        return [
            ("not JSON", Array("hello there".utf8), "malformed_json"),
            ("empty value", [], "empty_value"),
            ("not an object", Array("[1,2,3]".utf8), "not_an_object"),
            ("invalid UTF-8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], "invalid_utf8"),
            ("100,000 levels deep", Array(String(repeating: "[", count: 100_000).utf8), "too_deep"),
            ("over the size limit", Array(event("big", extra: #","name":"\#(String(repeating: "x", count: 250_000))""#).utf8), "value_too_large"),
            ("missing field", Array(#"{"type":"login","occurred_at":"2026-11-24T10:00:00Z","external_id":"x"}"#.utf8), "missing_field"),
            ("wrong-typed field", Array(#"{"type":"login","event_id":"wt","occurred_at":true,"external_id":"x"}"#.utf8), "wrong_type"),
            ("unknown type", Array(#"{"type":"logout","event_id":"ut","occurred_at":"2026-11-24T10:00:00Z","external_id":"x"}"#.utf8), "unknown_type"),
            ("bad occurred_at", Array(#"{"type":"login","event_id":"bo","occurred_at":"2026-02-30T10:00:00Z","external_id":"x"}"#.utf8), "invalid_occurred_at"),
            ("empty external_id", Array(event("e0", externalID: "").utf8), "invalid_external_id"),
            ("129-character external_id", Array(event("e129", externalID: String(repeating: "a", count: 129)).utf8), "invalid_external_id"),
            ("external_id with a space", Array(event("esp", externalID: "a b").utf8), "invalid_external_id"),
            ("external_id with a slash", Array(event("esl", externalID: "a/b").utf8), "invalid_external_id"),
            ("external_id with non-ASCII letters", Array(event("ena", externalID: "jürgen").utf8), "invalid_external_id"),
            ("event_id over 128 characters", Array(event(String(repeating: "e", count: 129)).utf8), "invalid_event_id"),
            ("attribute value that is an object", Array(event("ao", extra: #","custom_attributes":{"plan":{"tier":1}}"#).utf8), "invalid_attribute_value"),
            ("attribute value that is an array", Array(event("aa", extra: #","custom_attributes":{"plan":[1]}"#).utf8), "invalid_attribute_value"),
            ("attribute name outside the rule", Array(event("an", extra: #","custom_attributes":{"9lives":1}"#).utf8), "invalid_attribute_name"),
            ("too many attributes", Array(event("tm", extra: #","custom_attributes":{\#(manyAttributes)}"#).utf8), "too_many_attributes"),
            ("string over the limit", Array(event("sl", extra: #","email":"\#(String(repeating: "m", count: 1100))""#).utf8), "string_too_long"),
            ("number that does not fit a double", Array(event("nd", extra: #","custom_attributes":{"ltv":1e400}"#).utf8), "number_out_of_range"),
            ("email without an @", Array(event("em1", extra: #","email":"ada.example.com""#).utf8), "invalid_email"),
            ("email with two @", Array(event("em2", extra: #","email":"ada@home@example.com""#).utf8), "invalid_email"),
            ("email with a space", Array(event("em3", extra: #","email":"ada lovelace@example.com""#).utf8), "invalid_email"),
            ("email whose domain has no dot", Array(event("em4", extra: #","email":"ada@localhost""#).utf8), "invalid_email"),
            ("phone with letters", Array(event("ph1", extra: #","phone":"call me maybe""#).utf8), "invalid_phone"),
            ("phone with too few digits", Array(event("ph2", extra: #","phone":"+49 30""#).utf8), "invalid_phone"),
            ("phone with 16 digits", Array(event("ph3", extra: #","phone":"+1234567890123456""#).utf8), "invalid_phone"),
        ]
    }()

    @Test func eachBadInputIsRejectedOnceWithItsCodeAndADeadLetter() async throws {
        let topics = TestTopics("badinput")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            // Raw bytes (some are not UTF-8), then a good record behind them all.
            let good = Self.event("good-after", externalID: "still-synced", extra: #","name":"After""#)
            let payloads = Self.cases.map(\.1) + [Array(good.utf8)]
            let undelivered = try await offPool {
                let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
                for payload in payloads { producer.send(topic: topics.profile, key: Array("k".utf8), value: payload) }
                return producer.flush()
            }
            #expect(undelivered == 0)

            let service = try RunningService(topics: topics, sim: sim) { $0.decodeLimits.maxValueBytes = 200_000 }
            let results = try await readUntilAccounted(topics.results, records: payloads.count)
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: Self.cases.count)
            try await service.stop()

            // Each record's result, by its offset.
            var byOffset: [Int: ResultView] = [:]
            for result in results {
                for source in result.sources { byOffset[source.2] = result }
            }
            for (offset, (what, _, code)) in Self.cases.enumerated() {
                let result = byOffset[offset]
                #expect(result?.status == "rejected", "\(what)")
                #expect(result?.errorCode == code, "\(what): got \(result?.errorCode ?? "no result")")
            }
            #expect(byOffset[Self.cases.count]?.status == "synced", "the record behind the bad ones is synced")
            #expect(sim.state.contact("still-synced")?.name == "After")
            #expect(results.filter { $0.status == "rejected" }.count == Self.cases.count, "each rejected exactly once")
            #expect(deadLetters.count == Self.cases.count)
            let letterOffsets = Set(deadLetters.compactMap { (parseJSON($0.value)["source"] as? [String: Any])?["offset"] as? Int })
            #expect(letterOffsets == Set(0..<Self.cases.count))
            try SchemaCheck.validate(deadLetters, against: "dead-letter")
        }
    }
}
