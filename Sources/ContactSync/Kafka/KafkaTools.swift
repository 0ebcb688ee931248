import ContactSyncCore
import FoundationEssentials
import Logging

/// A plain producer for tools and tests (store-traffic, the demo, the suite):
/// sends records and creates topics. The service itself uses `ResultPublisher`.
public final class KafkaTrafficProducer: Sendable {
    private let handle: RDKafkaProducerHandle

    public init(brokers: String, properties: [String: String] = [:], logger: Logger = Logger(label: "kafka-tools")) throws {
        try RDKafkaVersion.requireSupported()
        var all = ["bootstrap.servers": brokers, "linger.ms": "20", "enable.idempotence": "true", "acks": "all",
                   "queue.buffering.max.messages": "500000"]
        all.merge(properties, uniquingKeysWith: { _, new in new })
        handle = try RDKafkaProducerHandle(
            config: RDKafkaConfig(all),
            callbacks: RDKafkaCallbacks(logger: logger, onError: { message, _ in logger.debug("\(message)") }))
    }

    /// Queues a record, waiting while librdkafka's queue is full. A nil value is a tombstone.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        while true {
            let queued = headers.isEmpty
                ? handle.produce(topic: topic, key: key, value: value, token: nil)
                : handle.produce(topic: topic, partition: -1, key: key, value: value, headers: headers, token: nil)
            switch queued {
            case .queued: return
            case .queueFull: handle.poll(timeoutMs: 10)
            case .tooLarge:
                Logger(label: "kafka-tools").error("produce failed: the record is over message.max.bytes")
                return
            case .failed(let reason):
                Logger(label: "kafka-tools").error("produce failed: \(reason)")
                return
            }
        }
    }

    /// Blocks until everything is delivered or the timeout passes; returns what is left.
    public func flush(timeoutMs: Int32 = 30_000) -> Int { handle.flush(timeoutMs: timeoutMs) }

    /// `configs`: topic settings, e.g. `["cleanup.policy": "compact"]` for the clock topic.
    public func createTopics(_ names: [String], partitions: Int32, configs: [String: String] = [:]) throws {
        try handle.createTopics(names, partitions: partitions, configs: configs, timeoutMs: 15_000)
    }

    public func partitionCounts(of topics: [String]) throws -> [String: Int] {
        try handle.partitionCounts(of: topics, timeoutMs: 10_000)
    }
}

/// Reads topics from the beginning with a throwaway group (for tools and tests).
public final class KafkaTopicReader: Sendable {
    private let handle: RDKafkaConsumerHandle

    /// `fetchWaitMs`: how long the broker may hold a fetch that finds nothing
    /// new (librdkafka's `fetch.wait.max.ms`, 500 ms unless given).
    public init(
        brokers: String, topics: [String], fetchWaitMs: Int? = nil, logger: Logger = Logger(label: "kafka-tools")
    ) throws {
        try RDKafkaVersion.requireSupported()
        var properties = [
            "bootstrap.servers": brokers, "group.id": "reader-\(UUID().uuidString)",
            "auto.offset.reset": "earliest", "enable.auto.commit": "false",
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000",
        ]
        if let fetchWaitMs { properties["fetch.wait.max.ms"] = String(fetchWaitMs) }
        handle = try RDKafkaConsumerHandle(
            config: RDKafkaConfig(properties),
            callbacks: RDKafkaCallbacks(
                logger: logger, onRebalance: { _ in [] }, onError: { message, _ in logger.debug("\(message)") }))
        try handle.subscribe(topics)
    }

    /// Polls until `stop` says enough or `timeout` passes (blocking: call it off the cooperative pool).
    public func read(timeout: Duration, until stop: ([KafkaRecord]) -> Bool) -> [KafkaRecord] {
        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if case .record(let record) = handle.poll(timeoutMs: 100) {
                records.append(record)
                if stop(records) { break }
            } else if stop(records) {
                break
            }
        }
        return records
    }

    /// Hands each record's value (empty for a tombstone) to `value` in place,
    /// neither copied nor kept, until `stop` says enough or `timeout` passes.
    /// For a reader that measures a service on the same machine: it should cost little.
    public func readValues(
        timeout: Duration, _ value: (UnsafeRawBufferPointer) -> Void, until stop: () -> Bool
    ) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            _ = handle.pollBorrowing(timeoutMs: 100) { _, _, _, bytes in
                value(bytes ?? UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if stop() { break }
        }
    }

    public func close() { handle.close() }
}

/// Committed offsets of a consumer group (for tests and ops tooling).
public enum KafkaGroupOffsets {
    public static func committed(brokers: String, group: String, partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        let handle = try RDKafkaConsumerHandle(
            config: RDKafkaConfig(["bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": "false"]),
            callbacks: RDKafkaCallbacks(logger: Logger(label: "kafka-tools"), onError: { _, _ in }))
        defer { handle.close() }
        return try handle.committed(partitions, timeoutMs: 10_000)
    }
}
