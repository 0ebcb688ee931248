import CRdKafka
import ContactSyncCore

/// Record headers across the librdkafka wall.
enum RDKafkaHeaders {
    /// A consumed message's headers, copied out (empty when it has none).
    static func read(_ message: UnsafePointer<rd_kafka_message_t>) -> [RecordHeader] {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var out: [RecordHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            out.append(
                RecordHeader(
                    name: name.map { String(cString: $0) } ?? "",
                    value: value.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
        return out
    }

    /// A new header list for `produce`; librdkafka owns it once a produce call
    /// succeeds, the caller destroys it otherwise. Nil for no headers.
    static func make(_ headers: [RecordHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            if let value = header.value {
                _ = value.withUnsafeBytes { rd_kafka_header_add(list, header.name, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
            }
        }
        return list
    }

    static func destroy(_ list: OpaquePointer?) {
        if let list { rd_kafka_headers_destroy(list) }
    }
}

/// librdkafka's own partitioners, to find the partition a key was written to.
public enum RDKafkaPartitioner {
    /// The partition of a non-empty `key` among `count` under librdkafka's
    /// `partitioner` setting (`consistent_random`, its default; `murmur2_random`,
    /// the Java client's; and their variants); nil for one it cannot compute.
    public static func partition(of key: [UInt8], count: Int32, partitioner: String = "consistent_random") -> Int32? {
        guard !key.isEmpty, count > 0 else { return nil }
        return key.withUnsafeBytes { bytes -> Int32? in
            // These variants differ only for an empty key (random), and read no topic state.
            switch partitioner {
            case "consistent", "consistent_random":
                return rd_kafka_msg_partitioner_consistent(nil, bytes.baseAddress, bytes.count, count, nil, nil)
            case "murmur2", "murmur2_random":
                return rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, count, nil, nil)
            case "fnv1a", "fnv1a_random":
                return rd_kafka_msg_partitioner_fnv1a(nil, bytes.baseAddress, bytes.count, count, nil, nil)
            default:
                return nil
            }
        }
    }
}
