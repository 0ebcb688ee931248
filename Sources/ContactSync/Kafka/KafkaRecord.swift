import ContactSyncCore

/// One consumed Kafka record, copied out of librdkafka's buffers.
///
/// Its key and value bytes sit side by side in `RecordBytes`, which the
/// consumer shares among the records of one poll burst: one allocation per
/// burst instead of two per record (an array each for key and value, with
/// their headers and malloc's rounding: about 80 bytes a record, measured).
public struct KafkaRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    private let storage: RecordBytes
    /// Where the key starts in `storage`; the value follows it.
    private let start: Int32
    /// -1: no key.
    private let keyCount: Int32
    /// -1: a null value (a tombstone).
    private let valueCount: Int32
    /// When the service read it (monotonic nanoseconds), for consume→result latency.
    public var consumedAtNanos: UInt64
    /// The record's headers, in order (usually none).
    public var headers: [RecordHeader] = []

    /// A record with storage of its own (tools and tests).
    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], consumedAtNanos: UInt64,
        valueIsNull: Bool = false, headers: [RecordHeader] = []
    ) {
        let value = valueIsNull ? [] : value
        self.init(
            topic: topic, partition: partition, offset: offset, storage: RecordBytes((key ?? []) + value), start: 0,
            keyCount: key.map { Int32($0.count) } ?? -1, valueCount: valueIsNull ? -1 : Int32(value.count),
            consumedAtNanos: consumedAtNanos, headers: headers)
    }

    /// A record whose key and value sit at `start` in `storage` (the consumer's bursts).
    init(
        topic: String, partition: Int32, offset: Int64, storage: RecordBytes, start: Int32, keyCount: Int32,
        valueCount: Int32, consumedAtNanos: UInt64, headers: [RecordHeader]
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.storage = storage
        self.start = start
        self.keyCount = keyCount
        self.valueCount = valueCount
        self.consumedAtNanos = consumedAtNanos
        self.headers = headers
    }

    /// A null value (a tombstone); `value` is then empty.
    public var valueIsNull: Bool { valueCount < 0 }

    public var key: [UInt8]? { keyRange.map { Array(storage.bytes[$0]) } }

    /// A copy of the value (dead letters); decoding reads it in place with `withValueBytes`.
    public var value: [UInt8] { Array(storage.bytes[valueRange]) }

    public var valueByteCount: Int { valueRange.count }

    public func withValueBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[valueRange])) }
    }

    /// Whether the key is these bytes, without copying it.
    public func keyEquals(_ other: some Collection<UInt8>) -> Bool {
        guard let keyRange else { return false }
        return storage.bytes[keyRange].elementsEqual(other)
    }

    /// Where the key lies in `storage`; nil when there is none.
    private var keyRange: Range<Int>? {
        keyCount < 0 ? nil : Int(start)..<Int(start) + Int(keyCount)
    }

    /// Where the value lies in `storage` (empty for a null value).
    private var valueRange: Range<Int> {
        let from = Int(start) + Int(max(keyCount, 0))
        return from..<from + Int(max(valueCount, 0))
    }

    public var source: RecordSource { RecordSource(topic: topic, partition: partition, offset: offset) }
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// The key and value bytes of one or more records, immutable once made.
final class RecordBytes: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// A partition set change delivered by the consumer group protocol.
public enum RebalanceEvent: Sendable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
}
