import ContactSyncCore
import FoundationEssentials
import Logging
import Prometheus
import ServiceLifecycle

/// Everything `main` (and the integration tests) run, wired together.
public struct ContactSyncServices: Sendable {
    public var publisher: ResultPublisher
    public var clocks: any Service
    public var sync: ContactSyncService
    public var ops: any Service
    public var health: ServiceHealth
    public var http: CurlHTTPClient
    /// With INTAKE_ENABLED: the webhook intake in the same process.
    public var intake: IntakeServices?
    /// glibc only: jemalloc returns freed pages by itself (its decay settings, `CJemalloc`).
    public var memory: MemoryTrimmer? = Allocator.current.isGlibc ? MemoryTrimmer() : nil

    /// Started in this order and shut down in reverse: the intake's listener
    /// answers its last requests first; the consumer drains, flushes and commits;
    /// then the clock changelog stops and the store closes; then the ops
    /// endpoint stops; the producers last.
    public var all: [any Service] {
        (memory.map { [$0] } ?? []) + [publisher] + (intake.map { [$0.producer, $0.deadlines] } ?? []) + [ops, clocks, sync]
            + (intake.map { [$0.server] } ?? [])
    }
}

/// librdkafka properties for the consumer and the producer: our defaults, then
/// the user's pass-through, then what correctness requires.
public enum KafkaProperties {
    public static func consumer(_ kafka: ContactSyncConfiguration.Kafka) -> RDKafkaConfig {
        var properties: [String: String] = [
            "bootstrap.servers": kafka.brokers,
            "group.id": kafka.groupID,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": "10000",
            "heartbeat.interval.ms": "1000",
            "client.id": "contact-sync",
            "reconnect.backoff.max.ms": "2000",
            // Bound the prefetch (librdkafka's defaults allow 64 MB and 100,000
            // records per partition): the pipeline holds its own batches anyway.
            // heaptrack at 600,000 events: 21 MB of fetch buffers and queued
            // records at 8 MB / 10,000, 9 MB at 2 MB / 2,000. 1 MB against 2 MB
            // (3 pairs of the 200k benchmark): 9 % fewer users sent, a tenth less
            // CPU, 4 MB less at the peak, events/s level or ahead (BENCHMARKS.md).
            "queued.max.messages.kbytes": "1024",
            "queued.min.messages": "2000",
            // librdkafka stops fetching a partition whose queue is over these
            // bounds and looks again only after this backoff (default 1 s). The
            // pipeline drains the queue in bursts once backpressure lifts and
            // then waits for the refill: at 100 ms it waited about 1 s per 200k
            // run for its next batches. 10 ms was ahead in 12 of 18 alternating
            // pairs (sweep medians +11 to +30 %, one -17 %), with 1 to 4 % fewer
            // users, at the same memory (BENCHMARKS.md, session 25). A wakeup per
            // partition every 10 ms while its queue is full costs nothing measurable.
            "fetch.queue.backoff.ms": "10",
        ]
        properties.merge(kafka.passthrough.filter { !producerOnly.contains($0.key) }, uniquingKeysWith: { _, user in user })
        // Offsets are committed only behind acknowledged results.
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        return RDKafkaConfig(properties)
    }

    /// The clock changelog's reader: assigned every partition, in no group,
    /// committing nothing (the store keeps its own positions).
    public static func clockChangelog(_ kafka: ContactSyncConfiguration.Kafka) -> RDKafkaConfig {
        var properties: [String: String] = [
            "bootstrap.servers": kafka.brokers,
            "client.id": "contact-sync-clocks",
            "reconnect.backoff.max.ms": "2000",
            // A restore reads the whole topic through this prefetch. With
            // librdkafka's 1 s backoff on a full queue (below), 2 MB and 2,000
            // records took a million contacts' restore from 29 to 98 s; with
            // 10 ms, 2 MB restores 432,488 contacts in 9.3 to 11.4 s against 11.6
            // to 13.1 s at 4 MB and 1 s, at 69 to 74 against 79 to 88 MB (5 pairs).
            // 1 MB against 2 MB, rebuilding 500,000 contacts: 5.9 against 5.4 s at
            // 73 to 80 against 94 to 100 MB; and 4 MB less at the 10x run's peak.
            "queued.max.messages.kbytes": "1024",
            // As for the main consumer: look at a full queue again after 10 ms, not 1 s.
            "fetch.queue.backoff.ms": "10",
            // An idle fetch waits at the broker this long (default 500 ms), and the
            // end-offset queries of a catch-up queue behind it: a rebalance waits less.
            "fetch.wait.max.ms": "100",
        ]
        properties.merge(
            kafka.passthrough.filter { !producerOnly.contains($0.key) && !groupOnly.contains($0.key) },
            uniquingKeysWith: { _, user in user })
        // librdkafka wants a group id even for a consumer that only assigns; it never joins it.
        properties["group.id"] = "\(kafka.groupID).clocks"
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        properties["enable.partition.eof"] = "true"
        properties["auto.offset.reset"] = "earliest"
        return RDKafkaConfig(properties)
    }

    static let groupOnly: Set<String> = [
        "group.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "partition.assignment.strategy", "group.instance.id", "group.protocol",
    ]

    public static func producer(_ kafka: ContactSyncConfiguration.Kafka) -> RDKafkaConfig {
        var properties: [String: String] = [
            "bootstrap.servers": kafka.brokers,
            "client.id": "contact-sync",
            "linger.ms": "5",
            "reconnect.backoff.max.ms": "2000",
            // Keep retrying while the broker is away; offsets wait for the acknowledgement.
            "message.timeout.ms": "0",
            // Results and clock records are repetitive JSON and binary: lz4 batches
            // took the broker's CPU in the 200k benchmark down by about 40 % (Tansu
            // 0.32 to 0.42 against 0.48 to 0.72 CPU s per run, 8 of 8 pairs) at no
            // measurable cost here, and every Kafka client reads them.
            // `message.max.bytes` still bounds the uncompressed message.
            "compression.type": "lz4",
        ]
        properties.merge(kafka.passthrough.filter { !consumerOnly.contains($0.key) }, uniquingKeysWith: { _, user in user })
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        return RDKafkaConfig(properties)
    }

    static let consumerOnly: Set<String> = [
        "group.id", "session.timeout.ms", "heartbeat.interval.ms", "auto.offset.reset", "max.poll.interval.ms",
        "partition.assignment.strategy", "group.instance.id", "fetch.min.bytes", "fetch.wait.max.ms",
        "fetch.max.bytes", "max.partition.fetch.bytes", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.queue.backoff.ms",
        "isolation.level", "enable.partition.eof", "check.crcs", "group.protocol",
    ]
    static let producerOnly: Set<String> = [
        "acks", "linger.ms", "batch.size", "batch.num.messages", "compression.type", "compression.codec",
        "message.timeout.ms", "enable.idempotence", "queue.buffering.max.messages", "queue.buffering.max.kbytes",
        "delivery.timeout.ms", "retries", "retry.backoff.ms", "request.timeout.ms",
    ]
}

extension HTTPClientSettings {
    /// The HTTP client's settings for Bookbag (the service and `check` alike).
    public init(bookbag: ContactSyncConfiguration.Bookbag) {
        self.init(caBundlePath: bookbag.caBundlePath, proxy: bookbag.proxy, maxConnections: max(bookbag.maxInFlight, 2))
    }
}

/// Builds the services from a configuration. Metrics go to `registry`
/// (through the process-wide factory `main` bootstrapped, or a test's own).
public func buildContactSyncServices(
    configuration: ContactSyncConfiguration, logger: Logger, registry: PrometheusCollectorRegistry,
    metricsFactory: PrometheusMetricsFactory? = nil,
    onFatal: @escaping @Sendable (String) -> Void,
    onOpsListening: (@Sendable (Int) async -> Void)? = nil,
    onIntakeListening: (@Sendable (Int) async -> Void)? = nil
) throws -> ContactSyncServices {
    SecretRedaction.register(configuration.bookbag.apiKey.secret)
    let metrics = metricsFactory.map { ServiceMetrics(factory: $0) } ?? ServiceMetrics()
    let standing = BookbagStanding()
    let broker = BrokerReachability(reachable: true)
    let httpSettings = HTTPClientSettings(bookbag: configuration.bookbag)
    try CurlHTTPClient.verifyCapabilities(httpSettings)
    let http = CurlHTTPClient(settings: httpSettings)
    let client = BookbagClient(
        settings: configuration.bookbag, http: http, metrics: metrics,
        requestSize: AdaptiveRequestSize(
            minimum: configuration.batching.upsertMinUsers, maximum: configuration.batching.upsertMaxUsers))
    let registryOfAttributes = AttributeRegistry(
        policy: AttributePolicy(allowlist: configuration.attributeAllowlist), client: client,
        retryPolicy: configuration.bookbag.retry, standing: standing, logger: logger)
    let executor = UpsertExecutor(
        client: client, registry: registryOfAttributes, retryPolicy: configuration.bookbag.retry,
        standing: standing, logger: logger, metrics: metrics)
    let publisher = try ResultPublisher(
        properties: KafkaProperties.producer(configuration.kafka), logger: logger, metrics: metrics, onFatal: onFatal)
    try checkMessageLimit(publisher.maxPayloadBytes, maxRecordBytes: configuration.decodeLimits.maxValueBytes, logger: logger)
    let store = try ClockStore(
        path: configuration.clocks.storePath, topic: configuration.clocks.topic,
        cacheBytes: configuration.clocks.storeCacheBytes, logger: logger,
        merge: ContactClocks.mergingEncoded)
    let changelog = try ClockChangelog(
        settings: ClockChangelog.Settings(
            topic: configuration.clocks.topic, properties: KafkaProperties.clockChangelog(configuration.kafka),
            writerID: UUID().uuidString, storePath: configuration.clocks.storePath,
            inputTopics: configuration.kafka.topics),
        store: store, logger: logger, metrics: metrics)
    let clocks = ClockChangelogService(changelog: changelog, broker: broker, logger: logger, metrics: metrics, onFatal: onFatal)
    let processor = BatchProcessor(
        configuration: configuration,
        clocks: ClockBook(
            store: store, changelog: changelog, topic: configuration.clocks.topic,
            writerID: changelog.settings.writerID, resendStored: configuration.clocks.resendStored),
        registry: registryOfAttributes, executor: executor, logger: logger, metrics: metrics,
        outcomes: OutcomeMessages(
            chatbotID: configuration.bookbag.chatbotID, resultTopic: configuration.kafka.resultTopic,
            deadLetterTopic: configuration.kafka.deadLetterTopic, maxMessageBytes: publisher.maxPayloadBytes,
            metrics: metrics, logger: logger))
    let consumer = try KafkaConsumer(
        settings: KafkaConsumerSettings(
            properties: KafkaProperties.consumer(configuration.kafka), topics: configuration.kafka.topics,
            batchMinEvents: configuration.batching.minEvents, batchMaxEvents: configuration.batching.maxEvents,
            batchMaxWait: configuration.batching.maxWait,
            maxReadyBatches: 2, maxOutstandingRecords: configuration.batching.maxOutstandingRecords,
            memoryTargetBytes: configuration.batching.memoryTargetBytes, revokeDrainTimeout: configuration.shutdownTimeout),
        logger: logger, metrics: metrics, broker: broker)
    let sync = ContactSyncService(
        configuration: configuration, consumer: consumer, publisher: publisher, processor: processor, standing: standing,
        logger: logger, clocksRestored: clocks.restored, onFatal: onFatal)
    let intake = try configuration.intake.enabled
        ? buildIntake(configuration: configuration, logger: logger, metricsFactory: metricsFactory, onListening: onIntakeListening)
        : nil
    let health = ServiceHealth(restore: clocks.restored, consumer: consumer, broker: broker, bookbag: standing)
    let ops = OpsServer.make(
        host: configuration.httpHost, port: configuration.httpPort,
        notReadyReasons: { health.snapshot.notReadyReasons + (intake?.notReadyReasons ?? []) },
        registry: registry, logger: logger, onListening: onOpsListening)
    return ContactSyncServices(
        publisher: publisher, clocks: clocks, sync: sync, ops: ops, health: health, http: http, intake: intake)
}

/// Results and dead letters must fit the producer's `message.max.bytes`. A dead
/// letter larger than that is cut to a prefix (with the value's size and
/// SHA-256), so MAX_RECORD_BYTES may exceed it; but below 16 KiB even a result
/// naming one event, or a dead letter's fixed fields, might not fit. Refused
/// here rather than at the first such message.
func checkMessageLimit(_ maxPayloadBytes: Int, maxRecordBytes: Int, logger: Logger) throws {
    let minimum = 16 << 10
    guard maxPayloadBytes >= minimum else {
        throw KafkaError(
            "the producer's message.max.bytes leaves \(maxPayloadBytes) bytes per result or dead letter; at least"
                + " \(minimum) are needed (raise KAFKA_MESSAGE_MAX_BYTES; librdkafka's default is 1000000)")
    }
    // A dead letter's value is base64 (4/3) plus about 1 KB of other fields.
    let wholeUpTo = (maxPayloadBytes - 1024) / 4 * 3
    if maxRecordBytes > wholeUpTo {
        logger.info(
            "dead letters of values over \(wholeUpTo) bytes (MAX_RECORD_BYTES allows \(maxRecordBytes)) hold a prefix of the value, its size and SHA-256, to fit the producer's message.max.bytes")
    }
}
