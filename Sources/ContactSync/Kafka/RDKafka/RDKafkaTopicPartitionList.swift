import CRdKafka
import ContactSyncCore

/// Owns an `rd_kafka_topic_partition_list_t`; converts to and from Swift values.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

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
