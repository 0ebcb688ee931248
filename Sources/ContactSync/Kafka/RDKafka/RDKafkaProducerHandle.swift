import CRdKafka
import ContactSyncCore
import FoundationEssentials
import Synchronization

/// A librdkafka producer. `produce` never blocks; `poll` and `flush` block and
/// run on the publisher's own thread.
final class RDKafkaProducerHandle: Sendable {
    /// `rd_kafka_t` is thread-safe per librdkafka's documentation.
    private nonisolated(unsafe) let handle: OpaquePointer
    private let callbacks: RDKafkaCallbacks
    /// Topic handles, created once per topic name and destroyed with the client.
    private let topics = Mutex<[String: OpaquePointer]>([:])

    /// The most bytes (key plus value) one message may hold.
    let maxPayloadBytes: Int

    /// What librdkafka adds to key plus value before comparing a message with
    /// `message.max.bytes` (RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD, 36 bytes), plus
    /// a record batch's header (61 bytes), since a batch of one such message
    /// must still fit a broker whose limit equals ours; rounded up.
    static let framingBytes = 128

    init(config: RDKafkaConfig, callbacks: RDKafkaCallbacks) throws {
        let conf = try config.makeConf()
        maxPayloadBytes = Self.integerProperty("message.max.bytes", of: conf).map { $0 - Self.framingBytes } ?? 0
        callbacks.install(on: conf)
        let (created, message) = KafkaError.withErrorBuffer { buffer, size in
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, buffer, size)
        }
        guard let created else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create the Kafka producer: \(message)")
        }
        handle = created
        self.callbacks = callbacks
    }

    deinit {
        topics.withLock { topics in
            for topic in topics.values { rd_kafka_topic_destroy(topic) }
        }
        rd_kafka_destroy(handle)
    }

    enum ProduceResult: Equatable {
        case queued
        case queueFull
        /// Over `message.max.bytes`: final for this message as it is.
        case tooLarge
        case failed(String)
    }

    /// Queues one message; `token` comes back in the delivery report. A nil
    /// value is a null value (a tombstone).
    func produce(topic: String, key: [UInt8]?, value: [UInt8]?, token: UnsafeMutableRawPointer?) -> ProduceResult {
        guard let topicHandle = topicHandle(topic) else { return .failed("cannot create topic handle for \(topic)") }
        let status = withOptionalBytes(value) { valueBytes in
            withOptionalBytes(key) { keyBytes in
                rd_kafka_produce(
                    topicHandle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                    UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), valueBytes.count,
                    keyBytes.baseAddress, keyBytes.count, token)
            }
        }
        if status == 0 { return .queued }
        let code = rd_kafka_last_error()
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        if KafkaError.isMessageTooLarge(code) { return .tooLarge }
        return .failed(String(cString: rd_kafka_err2str(code)))
    }

    /// Queues one message for a given partition (-1: the partitioner's choice),
    /// with headers (for replaying a record exactly as it was received). Key and
    /// value are copied.
    func produce(
        topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader],
        token: UnsafeMutableRawPointer?
    ) -> ProduceResult {
        let headerList = RDKafkaHeaders.make(headers)
        let error: OpaquePointer? = topic.withCString { topicName in
            withOptionalBytes(value) { valueBytes in
                withOptionalBytes(key) { keyBytes in
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: headerList == nil ? 6 : 7)
                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    fields[0].u.cstr = topicName
                    fields[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    fields[1].u.i32 = partition
                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                    fields[2].u.mem.size = valueBytes.count
                    fields[3].vtype = RD_KAFKA_VTYPE_KEY
                    fields[3].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                    fields[3].u.mem.size = keyBytes.count
                    fields[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[4].u.i = RD_KAFKA_MSG_F_COPY
                    fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE
                    fields[5].u.ptr = token
                    if let headerList {
                        fields[6].vtype = RD_KAFKA_VTYPE_HEADERS
                        fields[6].u.headers = headerList
                    }
                    return fields.withUnsafeMutableBufferPointer { rd_kafka_produceva(handle, $0.baseAddress, $0.count) }
                }
            }
        }
        guard let error else { return .queued }
        defer { rd_kafka_error_destroy(error) }
        RDKafkaHeaders.destroy(headerList)  // not taken: still ours
        let code = rd_kafka_error_code(error)
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        if KafkaError.isMessageTooLarge(code) { return .tooLarge }
        return .failed(String(cString: rd_kafka_error_string(error)))
    }

    /// A property's effective value (the user's, or librdkafka's default).
    private static func integerProperty(_ name: String, of conf: OpaquePointer) -> Int? {
        var buffer = [CChar](repeating: 0, count: 64)
        var size = buffer.count
        let result = buffer.withUnsafeMutableBufferPointer { rd_kafka_conf_get(conf, name, $0.baseAddress, &size) }
        guard result == RD_KAFKA_CONF_OK else { return nil }
        return buffer.withUnsafeBufferPointer { Int(String(cString: $0.baseAddress!)) }
    }

    private func topicHandle(_ name: String) -> OpaquePointer? {
        topics.withLock { topics in
            if let existing = topics[name] { return existing }
            guard let created = rd_kafka_topic_new(handle, name, nil) else { return nil }
            topics[name] = created
            return created
        }
    }

    /// Serves delivery reports and errors; blocks up to `timeoutMs`.
    func poll(timeoutMs: Int32) { _ = rd_kafka_poll(handle, timeoutMs) }

    /// Waits for outstanding messages; returns how many are still not delivered.
    func flush(timeoutMs: Int32) -> Int {
        _ = rd_kafka_flush(handle, timeoutMs)
        return Int(rd_kafka_outq_len(handle))
    }

    var outstanding: Int { Int(rd_kafka_outq_len(handle)) }

    /// Fails every queued and in-flight message; each comes back in a delivery report.
    func purgeAll() {
        _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
    }

    func partitionCounts(of topics: [String], timeoutMs: Int32) throws -> [String: Int] {
        try RDKafkaMetadata.partitionCounts(handle: handle, topics: topics, timeoutMs: timeoutMs)
    }

    /// Creates topics (for tools and tests; the service itself never creates topics).
    /// Creates the topics (one replica each); `configs` are topic settings such as
    /// `cleanup.policy=compact`. A topic that exists already is not an error.
    func createTopics(_ names: [String], partitions: Int32, configs: [String: String] = [:], timeoutMs: Int32) throws {
        guard let queue = rd_kafka_queue_new(handle) else { throw KafkaError("rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        var newTopics: [OpaquePointer?] = names.map { name in
            let topic = rd_kafka_NewTopic_new(name, partitions, 1, nil, 0)
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                _ = rd_kafka_NewTopic_set_config(topic, key, value)
            }
            return topic
        }
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, nil, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeoutMs) else { throw KafkaError("CreateTopics timed out") }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError("CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { return }
        var count = 0
        guard let topicResults = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let code = rd_kafka_topic_result_error(topicResults[index])
            if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                let name = String(cString: rd_kafka_topic_result_name(topicResults[index]))
                throw KafkaError(code: code, context: "create topic \(name)")
            }
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes(body)
}
