import ContactSync
import Testing

/// The librdkafka properties each client gets from the settings: the output
/// producer's compression default, both consumers' prefetch bound, and that a
/// user's `KAFKA_*` wins over them.
@Suite struct KafkaPropertiesTests {
    private let base = ["BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": "oc_env_key_123456"]

    @Test func resultsDeadLettersAndClockRecordsAreCompressedWithLZ4ByDefault() throws {
        let configuration = try ConfigurationReader.read(environment: base)
        #expect(KafkaProperties.producer(configuration.kafka).properties["compression.type"] == "lz4")
    }

    @Test(arguments: ["none", "zstd"])
    func theOperatorsCompressionTypeWins(_ codec: String) throws {
        let configuration = try ConfigurationReader.read(environment: base.merging(["KAFKA_COMPRESSION_TYPE": codec]) { $1 })
        #expect(KafkaProperties.producer(configuration.kafka).properties["compression.type"] == codec)
    }

    /// librdkafka warns at every start about a producer property given to a consumer.
    @Test func noConsumerIsGivenTheProducersCompression() throws {
        let configuration = try ConfigurationReader.read(environment: base.merging(["KAFKA_COMPRESSION_TYPE": "lz4"]) { $1 })
        #expect(KafkaProperties.consumer(configuration.kafka).properties["compression.type"] == nil)
        #expect(KafkaProperties.clockChangelog(configuration.kafka).properties["compression.type"] == nil)
    }

    /// 1 MB per partition: fewer users sent and a lower peak than 2 MB (BENCHMARKS.md, session 31).
    @Test func bothConsumersPrefetchAtMostOneMegabytePerPartitionByDefault() throws {
        let configuration = try ConfigurationReader.read(environment: base)
        #expect(KafkaProperties.consumer(configuration.kafka).properties["queued.max.messages.kbytes"] == "1024")
        #expect(KafkaProperties.clockChangelog(configuration.kafka).properties["queued.max.messages.kbytes"] == "1024")
    }

    @Test func theOperatorsPrefetchBoundWins() throws {
        let configuration = try ConfigurationReader.read(environment: base.merging(["KAFKA_QUEUED_MAX_MESSAGES_KBYTES": "4096"]) { $1 })
        #expect(KafkaProperties.consumer(configuration.kafka).properties["queued.max.messages.kbytes"] == "4096")
        #expect(KafkaProperties.clockChangelog(configuration.kafka).properties["queued.max.messages.kbytes"] == "4096")
    }
}
