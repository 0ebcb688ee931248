import ContactSyncCore
import FoundationEssentials
import Logging

/// Reads chosen partitions from chosen offsets, outside any consumer group,
/// for the command-line tools (`results watch`, `results trace`). Blocking:
/// the tools run it on their own thread (`offPool`).
final class PartitionReader: Sendable {
    private let handle: RDKafkaConsumerHandle
    /// In the sync's group (to read its committed offsets), never joining it;
    /// also finds where partitions end (see `ends`).
    private let groupHandle: RDKafkaConsumerHandle
    private let timeoutMs: Int32 = 10_000

    init(kafka: ContactSyncConfiguration.Kafka, clientID: String) throws {
        try RDKafkaVersion.requireSupported()
        var properties = KafkaProperties.clockChangelog(kafka).properties
        properties["client.id"] = clientID
        properties["isolation.level"] = "read_uncommitted"
        properties["group.id"] = "\(kafka.groupID).\(clientID)"
        var logger = Logger(label: clientID)
        logger.logLevel = .critical
        handle = try RDKafkaConsumerHandle(
            config: RDKafkaConfig(properties), callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
        properties["group.id"] = kafka.groupID
        groupHandle = try RDKafkaConsumerHandle(
            config: RDKafkaConfig(properties), callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
    }

    /// The topic's partitions; throws when the topic does not exist.
    func partitions(of topic: String) throws -> [TopicPartition] {
        guard let count = try handle.partitionCounts(of: [topic], timeoutMs: timeoutMs)[topic] else {
            throw KafkaError("topic \(topic) does not exist")
        }
        return (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
    }

    /// Where to start so as to see every record at or after `since` (nil: from
    /// the end, only what comes next), and where each partition ends now.
    func bounds(_ partitions: [TopicPartition], since: Timestamp?) throws -> [(partition: TopicPartition, start: Int64, end: Int64)] {
        let ends = try ends(partitions)
        var starts: [TopicPartition: Int64?] = [:]
        if let since {
            guard let found = handle.offsets(atOrAfterTimestampMs: since.millisecondsSinceEpoch, partitions, timeoutMs: timeoutMs)
            else { throw KafkaError("the broker did not find offsets by time in \(partitions.first?.topic ?? "the topic")") }
            starts = found
        }
        return partitions.map { partition in
            let end = ends[partition] ?? 0
            let start = (since == nil ? nil : starts[partition] ?? nil) ?? end
            return (partition, min(start, end), end)
        }
    }

    func assign(_ starts: [(TopicPartition, Int64)]) throws { try handle.assign(starts) }

    enum Read {
        case record(KafkaRecord)
        /// The partition has no more records for now.
        case end(partition: Int32)
        case nothing
    }

    /// The next record, the end of a partition, or nothing within `timeoutMs`.
    func read(timeoutMs: Int32) throws -> Read {
        switch handle.poll(timeoutMs: timeoutMs) {
        case .record(let record): return .record(record)
        case .endOfPartition(let partition, _): return .end(partition: partition.partition)
        case .nothing: return .nothing
        case .error(let message): throw KafkaError("reading: \(message)")
        }
    }

    /// The next record, or nil when none came within `timeoutMs`.
    func next(timeoutMs: Int32) throws -> KafkaRecord? {
        if case .record(let record) = try read(timeoutMs: timeoutMs) { return record }
        return nil
    }

    /// The group's committed offsets and the partitions' end offsets, for lag.
    func groupLag(topics: [String]) -> GroupLag? {
        guard let partitions = try? topics.flatMap({ try self.partitions(of: $0) }),
            let ends = try? ends(partitions),
            let starts = handle.queryLowWatermarks(partitions, timeoutMs: timeoutMs),
            let committed = try? groupHandle.committed(partitions, timeoutMs: timeoutMs)
        else { return nil }
        return GroupLag.of(partitions.map { partition in
            let offset = committed[partition].flatMap { $0 >= 0 ? $0 : nil }
            return ("\(partition.topic)/\(partition.partition)", starts[partition] ?? 0, ends[partition] ?? 0, offset)
        })
    }

    /// Where each partition ends now (the offset its next record will get).
    /// Reads from the broker's "latest" offset to the end of each partition:
    /// nothing on a broker whose latest offset is the end (Kafka), the last
    /// batch on one that answers with that batch's first offset (Tansu 0.6).
    func ends(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        guard var ends = groupHandle.queryHighWatermarks(partitions, timeoutMs: timeoutMs) else {
            throw KafkaError("the broker did not give the end offsets of \(partitions.first?.topic ?? "the topic")")
        }
        try groupHandle.assign(partitions.map { ($0, ends[$0] ?? 0) })
        defer { try? groupHandle.assign([]) }
        var open = Set(partitions)
        var idle = 0
        while !open.isEmpty && idle < 20 {
            switch groupHandle.poll(timeoutMs: 250) {
            case .record(let record):
                ends[record.topicPartition] = max(ends[record.topicPartition] ?? 0, record.offset + 1)
            case .endOfPartition(let partition, let next):
                ends[partition] = max(ends[partition] ?? 0, next)
                open.remove(partition)
            case .nothing: idle += 1
            case .error(let message): throw KafkaError("reading the end of \(partitions.first?.topic ?? "a topic"): \(message)")
            }
        }
        return ends
    }

    func close() {
        handle.close()
        groupHandle.close()
    }
}
