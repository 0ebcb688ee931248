import CRdKafka

/// An error reported by librdkafka, as text a person can act on.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ message: String) { description = message }

    init(code: rd_kafka_resp_err_t, context: String) {
        description = "\(context): \(String(cString: rd_kafka_err2str(code)))"
    }

    /// librdkafka writes its errors into a caller-provided buffer.
    static func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> T) -> (T, String) {
        var buffer = [CChar](repeating: 0, count: 512)
        let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (result, message)
    }
}
