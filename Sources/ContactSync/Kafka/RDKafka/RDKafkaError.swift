import CRdKafka

/// An error reported by librdkafka, as text a person can act on.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ message: String) { description = message }

    init(code: rd_kafka_resp_err_t, context: String) {
        description = "\(context): \(String(cString: rd_kafka_err2str(code)))"
    }

    /// A message over the producer's `message.max.bytes` (from `produce`) or
    /// over the broker's limit (in the delivery report): never worth sending
    /// again as it is.
    static func isMessageTooLarge(_ code: rd_kafka_resp_err_t) -> Bool {
        code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || code == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE
    }

    /// librdkafka writes its errors into a caller-provided buffer.
    static func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> T) -> (T, String) {
        var buffer = [CChar](repeating: 0, count: 512)
        let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (result, message)
    }
}
