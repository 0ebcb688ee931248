import ContactSyncCore

/// One consumed Kafka record, copied out of librdkafka's buffers.
public struct KafkaRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    /// When the service read it (monotonic nanoseconds), for consume→result latency.
    public var consumedAtNanos: UInt64
    /// A null value (a tombstone); `value` is then empty.
    public var valueIsNull = false
    /// The record's headers, in order (usually none).
    public var headers: [RecordHeader] = []

    public var source: RecordSource { RecordSource(topic: topic, partition: partition, offset: offset) }
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// A partition set change delivered by the consumer group protocol.
public enum RebalanceEvent: Sendable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
}
