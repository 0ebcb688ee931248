import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// A dead letter always fits the producer's limit, and a tombstone's dead
/// letter says its value was null (issue 11, item 2 and "Validation").
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DeadLetterSizeTests {
    /// 900 KB that is not JSON: under MAX_RECORD_BYTES (1 MiB by default), so
    /// its dead letter would copy it whole, 1.2 MB in base64, over the
    /// producer's message.max.bytes (1,000,000 by default).
    static let oversized: [UInt8] = (0..<900_000).map { UInt8(ascii: "a") &+ UInt8($0 % 26) }

    @Test func aRecordWhoseDeadLetterWouldBeTooLargeGetsACutOneAndThePartitionMovesOn() async throws {
        let topics = TestTopics("oversized")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let before = (0..<20).map { Array(profileEvent("b\($0)", "before-\($0)", at: "2026-11-24T10:00:00Z", fields: #""name":"B""#).utf8) }
            let after = (0..<20).map { Array(profileEvent("a\($0)", "after-\($0)", at: "2026-11-24T10:00:00Z", fields: #""name":"A""#).utf8) }
            let payloads = before + [Self.oversized] + after
            let undelivered = try await offPool {
                let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
                for payload in payloads { producer.send(topic: topics.profile, key: Array("k".utf8), value: payload) }
                return producer.flush()
            }
            #expect(undelivered == 0)

            let service = try RunningService(topics: topics, sim: sim)  // MAX_RECORD_BYTES at its default
            let results = try await readUntilAccounted(topics.results, records: payloads.count, timeout: .seconds(60))
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: 1, timeout: .seconds(10))
            let committed = await eventually(timeout: .seconds(20)) {
                await committedOffset(group: topics.group, TopicPartition(topic: topics.profile, partition: 0)) == Int64(payloads.count)
            }
            try await service.stop()

            let offsets = Set(results.flatMap { $0.sources.map(\.2) })
            #expect(offsets == Set(0..<payloads.count), "every record has a result")
            #expect(committed, "the partition is committed past the oversized record: not stalled")
            let rejected = results.filter { $0.status == "rejected" }
            #expect(rejected.map(\.errorCode) == ["malformed_json"])
            #expect(sim.state.contact("after-19")?.name == "A")

            #expect(deadLetters.count == 1)
            let letter = try #require(deadLetters.first)
            #expect(letter.value.count + (letter.key?.count ?? 0) <= 1_000_000)
            let json = parseJSON(letter.value)
            #expect(json["truncated"] as? Bool == true)
            #expect(json["value_size"] as? Int == Self.oversized.count)
            #expect(json["value_sha256"] as? String == (try Self.sha256sum(Self.oversized)))
            let prefix = try #require((json["value_base64"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(prefix.count > 500_000, "most of the value is kept")
            #expect(Array(prefix) == Array(Self.oversized.prefix(prefix.count)))
            #expect(json["key_base64"] as? String == "aw==")
            try SchemaCheck.validate(deadLetters, against: "dead-letter")
        }
    }

    @Test func aTombstoneGetsADeadLetterWithANullValue() async throws {
        let topics = TestTopics("tombstone")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let good = Array(profileEvent("t1", "after-tombstone", at: "2026-11-24T10:00:00Z", fields: #""name":"T""#).utf8)
            let undelivered = try await offPool {
                let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
                producer.send(topic: topics.profile, key: Array("gone".utf8), value: nil)
                producer.send(topic: topics.profile, key: Array("k".utf8), value: good)
                return producer.flush()
            }
            #expect(undelivered == 0)

            let service = try RunningService(topics: topics, sim: sim)
            let results = try await readUntilAccounted(topics.results, records: 2, timeout: .seconds(60))
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: 1, timeout: .seconds(10))
            try await service.stop()

            #expect(results.first { $0.sources.first?.2 == 0 }?.status == "rejected")
            #expect(results.first { $0.sources.first?.2 == 1 }?.status == "synced")
            let json = parseJSON(try #require(deadLetters.first).value)
            #expect(json["value_base64"] is NSNull, "a tombstone's value is null, not empty: \(json["value_base64"] ?? "missing")")
            #expect(json["key_base64"] as? String == "Z29uZQ==")
            try SchemaCheck.validate(deadLetters, against: "dead-letter")
        }
    }

    @Test func aProducerLimitTooSmallForResultsIsRefusedAtStart() async throws {
        let topics = TestTopics("small-limit")
        try await withBookbagSim { sim in
            #expect(throws: (any Error).self) {
                _ = try RunningService(topics: topics, sim: sim) { $0.kafka.passthrough["message.max.bytes"] = "10000" }
            }
        }
    }

    /// The digest as `sha256sum` prints it: an implementation independent of ours.
    static func sha256sum(_ bytes: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = file.path + ".out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = try ChildProcess(executable: "/usr/bin/sha256sum", arguments: [file.path], outputPath: output)
        #expect(process.waitForExit(timeout: .seconds(30)) == 0)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        return String(text.prefix(64))
    }
}
