@testable import ContactSync
import ContactSyncCore
import Foundation
import Logging
import Testing

/// The consumer copies a poll burst's keys and values into one shared buffer
/// (`RDKafkaConsumerHandle.pollBurst`). Each record must still see exactly its
/// own key, value, null value and headers, read from Tansu over a socket.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RecordBurstTests {
    struct Sent {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeader] = []
    }

    @Test func recordsOfOneBurstKeepTheirOwnKeysValuesAndHeaders() async throws {
        let topics = TestTopics("burst")
        try await topics.create(partitions: 1)
        let sent: [Sent] = (0..<300).map { index in
            switch index % 6 {
            case 0: Sent(key: nil, value: Array("keyless-\(index)".utf8))
            case 1: Sent(key: Array("gone-\(index)".utf8), value: nil)
            case 2: Sent(key: Array("empty-\(index)".utf8), value: [])
            case 3: Sent(key: [UInt8(index % 256)], value: Array("one-byte key \(index)".utf8))
            case 4:
                Sent(
                    key: Array("h-\(index)".utf8), value: Array(String(repeating: "v", count: index).utf8),
                    headers: [RecordHeader(name: "traceparent", value: Array("00-\(index)".utf8)), RecordHeader(name: "none", value: nil)])
            default: Sent(key: Array("customer-\(index)".utf8), value: Array(#"{"n":\#(index)}"#.utf8))
            }
        }
        let undelivered = try await offPool {
            let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
            for record in sent { producer.send(topic: topics.profile, key: record.key, value: record.value, headers: record.headers) }
            return producer.flush()
        }
        #expect(undelivered == 0)

        let (records, largestBurst) = try await offPool { try Self.readInBursts(topics.profile, count: sent.count) }
        #expect(records.count == sent.count)
        #expect(largestBurst > 1, "several records shared a buffer")
        for (index, (record, expected)) in zip(records, sent).enumerated() {
            #expect(record.offset == Int64(index))
            #expect(record.key == expected.key, "key of record \(index)")
            #expect(record.valueIsNull == (expected.value == nil), "null value of record \(index)")
            #expect(record.value == (expected.value ?? []), "value of record \(index)")
            #expect(record.valueByteCount == (expected.value?.count ?? 0))
            #expect(record.withValueBytes { Array($0) } == (expected.value ?? []))
            #expect(record.keyEquals(expected.key ?? []) == (expected.key != nil))
            #expect(!record.keyEquals(Array("another".utf8)))
            #expect(record.headers == expected.headers, "headers of record \(index)")
        }
    }

    /// A burst takes already-fetched records many per librdkafka call
    /// (`rd_kafka_consume_batch_queue`), records of several partitions mixed:
    /// every record must still come exactly once, in offset order per
    /// partition, and no burst may pass its limit. (Checked: dropping the last
    /// message of each call fails it with 998 of 3,000 records.)
    @Test func burstsOverSeveralPartitionsLoseAndRepeatNothing() async throws {
        let topics = TestTopics("burst-many")
        try await topics.create(partitions: 3)
        let count = 3_000
        let undelivered = try await offPool {
            let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
            for index in 0..<count {
                producer.send(topic: topics.profile, key: Array("customer-\(index % 97)".utf8), value: Array("\(index)".utf8))
            }
            return producer.flush()
        }
        #expect(undelivered == 0)

        let limit = 500
        let (records, largestBurst) = try await offPool {
            try Self.readInBursts(topics.profile, partitions: 3, count: count, limit: limit)
        }
        #expect(records.count == count)
        #expect(largestBurst <= limit)
        #expect(largestBurst > RDKafkaConsumerHandle.messagesPerCall, "a burst took more than one call's messages")
        #expect(Set(records.map { String(decoding: $0.value, as: UTF8.self) }) == Set((0..<count).map(String.init)))
        for partition in Int32(0)..<3 {
            let offsets = records.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition) in order, from 0, without gaps")
        }
    }

    /// Polls the partitions from their starts in bursts of up to `limit` until `count` records came.
    static func readInBursts(_ topic: String, partitions: Int32 = 1, count: Int, limit: Int = 64) throws -> ([KafkaRecord], largestBurst: Int) {
        var kafka = ContactSyncConfiguration.Kafka()
        kafka.brokers = TestBroker.address
        kafka.groupID = "burst-test-\(UUID().uuidString)"
        var logger = Logger(label: "burst-test")
        logger.logLevel = .critical
        let handle = try RDKafkaConsumerHandle(
            config: KafkaProperties.clockChangelog(kafka), callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
        defer { handle.close() }
        try handle.assign((0..<partitions).map { (TopicPartition(topic: topic, partition: $0), 0) })
        var records: [KafkaRecord] = []
        var largestBurst = 0
        let deadline = Date().addingTimeInterval(30)
        while records.count < count && Date() < deadline {
            var burst: [KafkaRecord] = []
            if let failure = handle.pollBurst(into: &burst, limit: limit, timeoutMs: 200, maxBytes: 1 << 20) {
                Issue.record("poll failed: \(failure)")
            }
            largestBurst = max(largestBurst, burst.count)
            records += burst
        }
        return (records, largestBurst)
    }
}
