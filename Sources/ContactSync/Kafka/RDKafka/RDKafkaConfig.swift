import CRdKafka

/// A librdkafka configuration as properties; turned into `rd_kafka_conf_t` only
/// when a client is created, so the Swift side never holds the C object.
public struct RDKafkaConfig: Sendable {
    public var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    /// Builds the C configuration. The caller owns the result until it hands
    /// it to `rd_kafka_new`, which takes ownership on success.
    func makeConf() throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError("rd_kafka_conf_new failed") }
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let (result, message) = KafkaError.withErrorBuffer { buffer, size in
                rd_kafka_conf_set(conf, name, value, buffer, size)
            }
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // The value may be a secret (sasl.password); name only the property.
                throw KafkaError("Kafka property '\(name)' was refused: \(message)")
            }
        }
        return conf
    }
}
