import CRdKafka
import ContactSyncCore
import Dispatch
import FoundationEssentials

/// A librdkafka consumer. Blocking calls (`poll`, synchronous `commit`, `close`,
/// `metadata`) must run on the consumer's own thread, never on Swift's
/// cooperative pool; see `KafkaConsumer`.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_t` and its queues as
/// thread-safe; the only Swift state is `topicNames`, `burstBytesHint`,
/// `copiedMessages` and the memory behind `polledMessages`, touched by `poll`
/// and `pollBurst` alone, which run on the single poll thread.
final class RDKafkaConsumerHandle: @unchecked Sendable {
    private let handle: OpaquePointer
    private let callbacks: RDKafkaCallbacks
    private var topicNames: [OpaquePointer: String] = [:]
    /// The last burst's bytes: the next burst's buffer starts that large.
    private var burstBytesHint = 0
    /// `pollBurst`'s list of the burst's messages, kept for the next burst.
    private var copiedMessages: [CopiedMessage] = []
    /// The consumer queue (where `rd_kafka_consumer_poll` reads), for taking
    /// what is already fetched many messages a call.
    private let consumerQueue: OpaquePointer
    /// `rd_kafka_consume_batch_queue`'s output array, reused by every burst.
    private let polledMessages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    /// Messages taken per `rd_kafka_consume_batch_queue` call: what one call
    /// may add beyond `pollBurst`'s byte bound (they are already in librdkafka's
    /// prefetch queue, bounded by `queued.max.messages.kbytes`).
    static let messagesPerCall = 64

    init(config: RDKafkaConfig, callbacks: RDKafkaCallbacks) throws {
        let conf = try config.makeConf()
        callbacks.install(on: conf)
        let (created, message) = KafkaError.withErrorBuffer { buffer, size in
            rd_kafka_new(RD_KAFKA_CONSUMER, conf, buffer, size)
        }
        guard let created else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create the Kafka consumer: \(message)")
        }
        rd_kafka_poll_set_consumer(created)
        // librdkafka has a consumer queue only with a `group.id`; every consumer
        // contact-sync makes sets one (tools and the clock reader too).
        guard let queue = rd_kafka_queue_get_consumer(created) else {
            rd_kafka_destroy(created)
            throw KafkaError("cannot create the Kafka consumer: no consumer queue (group.id unset)")
        }
        handle = created
        self.callbacks = callbacks
        consumerQueue = queue
        polledMessages = .allocate(capacity: Self.messagesPerCall)
    }

    deinit {
        // librdkafka wants every queue reference given back before the handle goes.
        rd_kafka_queue_destroy(consumerQueue)
        polledMessages.deallocate()
        rd_kafka_destroy(handle)
    }

    func subscribe(_ topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(topics.map { TopicPartition(topic: $0, partition: -1) })
        let code = list.withPointer { rd_kafka_subscribe(handle, $0) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: code, context: "subscribe") }
    }

    /// "From the first record still in the partition", for `assign`.
    static let offsetBeginning = Int64(RD_KAFKA_OFFSET_BEGINNING)

    /// Reads exactly these partitions from these offsets, outside any group
    /// (the clock changelog is read whole by every replica).
    func assign(_ starts: [(TopicPartition, Int64)]) throws {
        let list = RDKafkaTopicPartitionList(starts.map(\.0), offsets: starts.map(\.1))
        let code = list.withPointer { rd_kafka_assign(handle, $0) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: code, context: "assign") }
    }

    enum PollResult {
        case record(KafkaRecord)
        /// Reached the partition's end (only with `enable.partition.eof`):
        /// `next` is the offset the next record will have, past any gap that
        /// compaction left.
        case endOfPartition(TopicPartition, next: Int64)
        case nothing
        case error(String)
    }

    /// Blocks up to `timeoutMs`. Serves rebalance callbacks too.
    func poll(timeoutMs: Int32) -> PollResult {
        var bytes: [UInt8] = []
        let polled = withPolledMessage(timeoutMs: timeoutMs) { Self.copy($0, appendingBytesTo: &bytes) }
        switch polled {
        case .record(let copied): return .record(record(copied, in: RecordBytes(bytes), consumedAtNanos: DispatchTime.now().uptimeNanoseconds))
        case .endOfPartition(let partition, let next, let topic):
            return .endOfPartition(TopicPartition(topic: topic, partition: partition), next: next)
        case .nothing: return .nothing
        case .error(let message): return .error(message)
        }
    }

    /// Up to `limit` records into `records`, the first poll waiting up to
    /// `timeoutMs`, the rest taking only what is already fetched. Their keys
    /// and values share one buffer. Stops early at the end of a partition, at
    /// an error (returned), or once the buffer holds `maxBytes`.
    func pollBurst(into records: inout [KafkaRecord], limit: Int, timeoutMs: Int32, maxBytes: Int) -> String? {
        var bytes: [UInt8] = []
        // A quarter over the last burst's size: a burst a little larger than the
        // last no longer doubles the buffer (heaptrack: half the bursts did).
        bytes.reserveCapacity(burstBytesHint + burstBytesHint / 4)
        var copied = copiedMessages
        copiedMessages = []
        defer {
            copied.removeAll(keepingCapacity: true)
            copiedMessages = copied
        }
        var failure: String?
        // The first message may be waited for; the rest are taken from what is
        // already fetched, many per call: one lock and one clock reading a call
        // instead of a message (librdkafka's per-poll clock readings were this
        // thread's top frame).
        switch withPolledMessage(timeoutMs: timeoutMs, { Self.copy($0, appendingBytesTo: &bytes) }) {
        case .record(let message): copied.append(message)
        case .nothing, .endOfPartition: break
        case .error(let message): failure = message
        }
        if copied.count == 1 {
            takeFetched(into: &copied, bytes: &bytes, limit: limit, maxBytes: maxBytes, failure: &failure)
        }
        burstBytesHint = bytes.count
        if !copied.isEmpty {
            // The records keep the buffer until their results are acknowledged: not much more than they fill.
            if bytes.capacity > bytes.count + bytes.count / 4 + 4096 {
                let filled = bytes
                bytes = [UInt8](unsafeUninitializedCapacity: filled.count) { buffer, count in
                    count = buffer.initialize(fromContentsOf: filled)
                }
            }
            let storage = RecordBytes(bytes)
            // One reading of the clock for the burst: it was drained from librdkafka's
            // queue within a millisecond. Clock readings were this thread's top perf
            // frame; librdkafka's own, one per `rd_kafka_consumer_poll`, remain.
            let consumedAt = DispatchTime.now().uptimeNanoseconds
            for message in copied { records.append(record(message, in: storage, consumedAtNanos: consumedAt)) }
        }
        return failure
    }

    /// Copies already-fetched messages (never waiting) until `limit` messages,
    /// `maxBytes`, an empty queue, an error or a partition's end. Every message a
    /// call returns is copied, even past the one that stops the burst: a message
    /// taken from librdkafka and dropped would be a gap in its partition.
    private func takeFetched(
        into copied: inout [CopiedMessage], bytes: inout [UInt8], limit: Int, maxBytes: Int, failure: inout String?
    ) {
        var stop = false
        while !stop && copied.count < limit && bytes.count < maxBytes {
            let wanted = min(limit - copied.count, Self.messagesPerCall)
            let count = rd_kafka_consume_batch_queue(consumerQueue, 0, polledMessages, wanted)
            guard count > 0 else { return }
            stop = count < wanted
            for index in 0..<count {
                guard let message = polledMessages[index] else { continue }
                defer { rd_kafka_message_destroy(message) }
                switch message.pointee.err {
                case RD_KAFKA_RESP_ERR_NO_ERROR: copied.append(Self.copy(message, appendingBytesTo: &bytes))
                case RD_KAFKA_RESP_ERR__PARTITION_EOF: stop = true
                default:
                    if failure == nil { failure = String(cString: rd_kafka_err2str(message.pointee.err)) }
                    stop = true
                }
            }
        }
    }

    /// A message's place in the burst's bytes, and what else the record keeps.
    private struct CopiedMessage {
        var topic: OpaquePointer?
        var partition: Int32
        var offset: Int64
        var start: Int32
        var keyCount: Int32
        var valueCount: Int32
        var headers: [RecordHeader]
    }

    private static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>, appendingBytesTo bytes: inout [UInt8]) -> CopiedMessage {
        let m = message.pointee
        let start = bytes.count
        if let key = m.key { bytes.append(contentsOf: UnsafeRawBufferPointer(start: key, count: m.key_len)) }
        if let payload = m.payload { bytes.append(contentsOf: UnsafeRawBufferPointer(start: payload, count: m.len)) }
        return CopiedMessage(
            topic: m.rkt, partition: m.partition, offset: m.offset, start: Int32(start),
            keyCount: m.key == nil ? -1 : Int32(m.key_len), valueCount: m.payload == nil ? -1 : Int32(m.len),
            // Reads librdkafka's message behind the public struct: pass its own
            // pointer, never a pointer to a copy. (No headers: a quick "none".)
            headers: RDKafkaHeaders.read(message))
    }

    private func record(_ message: CopiedMessage, in storage: RecordBytes, consumedAtNanos: UInt64) -> KafkaRecord {
        KafkaRecord(
            topic: topicName(message.topic), partition: message.partition, offset: message.offset, storage: storage,
            start: message.start, keyCount: message.keyCount, valueCount: message.valueCount,
            consumedAtNanos: consumedAtNanos, headers: message.headers)
    }

    /// What `pollBorrowing` found.
    enum BorrowedPoll<Read> {
        case record(Read)
        case endOfPartition(partition: Int32, next: Int64, topic: String)
        case nothing
        case error(String)
    }

    /// `poll` without copying the record: `read` sees its partition, offset
    /// key and value (nil when absent; a nil value is a tombstone) only during the call. For the clock
    /// changelog, whose records are mostly skipped or turned into something smaller.
    func pollBorrowing<Read>(
        timeoutMs: Int32,
        _ read: (_ partition: Int32, _ offset: Int64, _ key: UnsafeRawBufferPointer?, _ value: UnsafeRawBufferPointer?) -> Read
    ) -> BorrowedPoll<Read> {
        withPolledMessage(timeoutMs: timeoutMs) { message in
            let m = message.pointee
            return read(
                m.partition, m.offset, m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) },
                m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) })
        }
    }

    /// One consumer poll; `read` sees a record's message only during the call.
    private func withPolledMessage<Read>(
        timeoutMs: Int32, _ read: (UnsafeMutablePointer<rd_kafka_message_t>) -> Read
    ) -> BorrowedPoll<Read> {
        guard let message = rd_kafka_consumer_poll(handle, timeoutMs) else { return .nothing }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                return .endOfPartition(partition: m.partition, next: m.offset, topic: topicName(m.rkt))
            }
            return .error(String(cString: rd_kafka_err2str(m.err)))
        }
        return .record(read(message))
    }

    private func topicName(_ topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if let name = topicNames[topic] { return name }
        let name = String(cString: rd_kafka_topic_name(topic))
        topicNames[topic] = name
        return name
    }

    func pause(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        _ = RDKafkaTopicPartitionList(partitions).withPointer { rd_kafka_pause_partitions(handle, $0) }
    }

    func resume(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        _ = RDKafkaTopicPartitionList(partitions).withPointer { rd_kafka_resume_partitions(handle, $0) }
    }

    /// Commits "next offset to read" per partition. Synchronous when `wait`.
    func commit(_ offsets: [(TopicPartition, Int64)], wait: Bool) throws {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets.map(\.0), offsets: offsets.map(\.1))
        let code = list.withPointer { rd_kafka_commit(handle, $0, wait ? 0 : 1) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
            throw KafkaError(code: code, context: "commit")
        }
    }

    /// The broker's committed offsets for these partitions (blocking).
    func committed(_ partitions: [TopicPartition], timeoutMs: Int32) throws -> [TopicPartition: Int64] {
        let list = RDKafkaTopicPartitionList(partitions)
        return try list.withPointer { pointer in
            let code = rd_kafka_committed(handle, pointer, timeoutMs)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: code, context: "committed") }
            var out: [TopicPartition: Int64] = [:]
            for index in 0..<Int(pointer.pointee.cnt) {
                let element = pointer.pointee.elems[index]
                out[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
            return out
        }
    }

    /// High watermark last seen by the fetcher (non-blocking; -1 when unknown).
    func cachedHighWatermark(_ partition: TopicPartition) -> Int64 {
        var low: Int64 = -1
        var high: Int64 = -1
        _ = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
        return high
    }

    /// High watermark asked of the broker (blocking up to `timeoutMs`; -1 on failure).
    /// Needed while a partition is paused, when the fetcher no longer refreshes the cached one.
    func queryHighWatermark(_ partition: TopicPartition, timeoutMs: Int32) -> Int64 {
        queryWatermarks(partition, timeoutMs: timeoutMs)?.high ?? -1
    }

    /// Low and high watermarks asked of the broker (blocking up to `timeoutMs`; nil on failure).
    func queryWatermarks(_ partition: TopicPartition, timeoutMs: Int32) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, timeoutMs)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? (low, high) : nil
    }

    /// High watermarks of many partitions in one request per leader (a
    /// ListOffsets for the latest offset), where `queryWatermarks` makes one
    /// round trip per partition, each queued behind the broker's long-polled
    /// fetch. Blocking up to `timeoutMs`; nil on failure.
    func queryHighWatermarks(_ partitions: [TopicPartition], timeoutMs: Int32) -> [TopicPartition: Int64]? {
        listOffsets(partitions, at: Int64(RD_KAFKA_OFFSET_END), timeoutMs: timeoutMs)
    }

    /// Low watermarks (log start offsets) of many partitions, as `queryHighWatermarks`.
    func queryLowWatermarks(_ partitions: [TopicPartition], timeoutMs: Int32) -> [TopicPartition: Int64]? {
        listOffsets(partitions, at: Int64(RD_KAFKA_OFFSET_BEGINNING), timeoutMs: timeoutMs)
    }

    /// Per partition, the first offset whose record timestamp is at or after
    /// `timestampMs`, or nil for a partition with no such record yet (read from
    /// its end). Blocking up to `timeoutMs`; nil on failure.
    func offsets(atOrAfterTimestampMs timestampMs: Int64, _ partitions: [TopicPartition], timeoutMs: Int32)
        -> [TopicPartition: Int64?]?
    {
        if partitions.isEmpty { return [:] }
        let list = RDKafkaTopicPartitionList(partitions, offsets: Array(repeating: timestampMs, count: partitions.count))
        return list.withPointer { pointer -> [TopicPartition: Int64?]? in
            guard rd_kafka_offsets_for_times(handle, pointer, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            var out: [TopicPartition: Int64?] = [:]
            for index in 0..<Int(pointer.pointee.cnt) {
                let element = pointer.pointee.elems[index]
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
                let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                out[partition] = element.offset >= 0 ? element.offset : nil
            }
            return out
        }
    }

    private func listOffsets(_ partitions: [TopicPartition], at logical: Int64, timeoutMs: Int32) -> [TopicPartition: Int64]? {
        if partitions.isEmpty { return [:] }
        let list = RDKafkaTopicPartitionList(partitions, offsets: Array(repeating: logical, count: partitions.count))
        return list.withPointer { pointer -> [TopicPartition: Int64]? in
            guard rd_kafka_offsets_for_times(handle, pointer, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            var out: [TopicPartition: Int64] = [:]
            for index in 0..<Int(pointer.pointee.cnt) {
                let element = pointer.pointee.elems[index]
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 else { return nil }
                out[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
            return out
        }
    }

    /// Partition counts of the topics (blocking metadata request).
    func partitionCounts(of topics: [String], timeoutMs: Int32) throws -> [String: Int] {
        try RDKafkaMetadata.partitionCounts(handle: handle, topics: topics, timeoutMs: timeoutMs)
    }

    /// Leaves the group (revoking partitions through the rebalance callback). Blocking.
    func close() {
        _ = rd_kafka_consumer_close(handle)
    }
}

enum RDKafkaMetadata {
    static func partitionCounts(handle: OpaquePointer, topics: [String], timeoutMs: Int32) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(code: code, context: "metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            let name = String(cString: topic.topic)
            if topics.contains(name), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                counts[name] = Int(topic.partition_cnt)
            }
        }
        return counts
    }
}
