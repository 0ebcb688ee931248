import CRdKafka
import ContactSyncCore

/// Owns an `rd_kafka_topic_partition_list_t`; converts to and from Swift values.
/// The C list is reachable only inside `withPointer`, which keeps the owner
/// alive for the call (Swift may otherwise free it right after the last use
/// of the property, while C still reads the list).
final class RDKafkaTopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    func withPointer<R>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    init(_ partitions: [TopicPartition], offsets: [Int64]? = nil) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1)))
        for (index, partition) in partitions.enumerated() {
            let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
            if let offsets { element?.pointee.offset = offsets[index] }
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Reads a list librdkafka owns (for example, one passed to a callback).
    static func partitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }
}
