import CRdKafka

/// The librdkafka the process actually loaded (not the one it was compiled against).
public enum RDKafkaVersion {
    public static var string: String { String(cString: rd_kafka_version_str()) }
    static var number: Int32 { rd_kafka_version() }

    /// 2.0.x and older skip tagged fields wrongly and fail against brokers that
    /// send them (Tansu included) with "ApiVersionRequest failed: Local: Read underflow".
    public static func requireSupported() throws {
        let minimum: Int32 = 0x0201_00ff  // 2.1.0 final
        if number < minimum {
            throw KafkaError(
                "librdkafka \(string) is too old: 2.1 or newer is required (2.0.x misreads the tagged fields "
                    + "modern brokers send in ApiVersions). Run scripts/setup.sh, or install librdkafka >= 2.1.")
        }
    }
}
