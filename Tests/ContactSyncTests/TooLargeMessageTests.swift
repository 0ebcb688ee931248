import ContactSync
import Foundation
import Logging
import Synchronization
import Testing

/// MSG_SIZE_TOO_LARGE is final for a message as it is: the publisher sends its
/// smaller form instead, or stops the service when there is none; it never
/// produces the same message again (issue 11, item 2).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TooLargeMessageTests {
    /// A producer allowing about 20 KB per message, against the test broker.
    static func publisher(onFatal: @escaping @Sendable (String) -> Void) throws -> ResultPublisher {
        var kafka = ContactSyncConfiguration.Kafka()
        kafka.brokers = TestBroker.address
        kafka.passthrough = ["message.max.bytes": "20000"]
        var logger = Logger(label: "contact-sync.test")
        logger.logLevel = .critical
        let publisher = try ResultPublisher(
            properties: KafkaProperties.producer(kafka), logger: logger, metrics: ServiceMetrics(), onFatal: onFatal)
        publisher.start()
        return publisher
    }

    /// Splits `value` into messages of at most `maxBytes`, each splittable again.
    static func chunked(_ topic: String, _ value: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: nil, value: value) { maxBytes in
            guard maxBytes > 0, value.count > 1 else { return nil }
            return stride(from: 0, to: value.count, by: maxBytes).map {
                chunked(topic, Array(value[$0..<min($0 + maxBytes, value.count)]))
            }
        }
    }

    @Test func aMessageOverTheProducerLimitIsSentInItsSmallerForm() async throws {
        let topics = TestTopics("too-large")
        try await topics.create(partitions: 1)
        let fatal = Mutex<String?>(nil)
        let publisher = try Self.publisher { message in fatal.withLock { $0 = message } }
        #expect(publisher.maxPayloadBytes < 20_000)
        let value = (0..<50_000).map { UInt8(truncatingIfNeeded: $0) }
        let small = OutgoingMessage(topic: topics.results, key: nil, value: Array("small".utf8))
        let acknowledged = Atomic<Bool>(false)
        await publisher.publish([small, Self.chunked(topics.results, value), small]) {
            acknowledged.store(true, ordering: .relaxed)
        }
        #expect(await eventually(timeout: .seconds(30)) { acknowledged.load(ordering: .relaxed) },
                "the group is acknowledged once every smaller part is")
        let records = try await readRecords(topics.results, atLeast: 5, timeout: .seconds(20))
        _ = await publisher.close(timeout: .seconds(5))
        #expect(fatal.withLock { $0 } == nil)
        let parts = records.filter { $0.value.count > 5 }
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.value.count <= publisher.maxPayloadBytes })
        #expect(parts.flatMap(\.value) == value, "nothing lost, in order")
    }

    @Test func aMessageThatCannotBeMadeSmallerStopsTheServiceInsteadOfRetrying() async throws {
        let topics = TestTopics("too-large-final")
        try await topics.create(partitions: 1)
        let fatal = Mutex<String?>(nil)
        let publisher = try Self.publisher { message in fatal.withLock { $0 = message } }
        let acknowledged = Atomic<Bool>(false)
        let unsplittable = OutgoingMessage(topic: topics.results, key: nil, value: [UInt8](repeating: 1, count: 30_000))
        await publisher.publish([unsplittable]) { acknowledged.store(true, ordering: .relaxed) }
        _ = await publisher.close(timeout: .seconds(5))
        let reason = try #require(fatal.withLock { $0 })
        #expect(reason.contains("30000-byte message") && reason.contains("cannot be made smaller"))
        let wasAcknowledged = acknowledged.load(ordering: .relaxed)
        #expect(!wasAcknowledged, "never acknowledged: its offset is not committed")
    }
}
