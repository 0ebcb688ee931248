import ContactSyncCore
import Logging
import Prometheus
import ServiceLifecycle

/// The webhook intake's parts: its producer and its listener.
public struct IntakeServices: Sendable {
    public var producer: IntakeProducer
    /// The read timeouts' clock; started before the listener, stopped after it.
    public var deadlines: any Service
    public var server: any Service

    /// Why the intake is not ready (its producer's broker state); empty when ready.
    public var notReadyReasons: [String] {
        producer.brokerReachable ? [] : ["intake: Kafka broker unreachable"]
    }
}

/// What `contact-sync intake` runs: the intake and an ops endpoint of its own.
public struct IntakeProcessServices: Sendable {
    public var intake: IntakeServices
    public var ops: any Service

    /// Started in this order and shut down in reverse: the listener stops taking
    /// requests and answers the ones it has; then the producer flushes.
    public var all: [any Service] { [intake.producer, intake.deadlines, ops, intake.server] }
}

extension KafkaProperties {
    /// The intake's producer: idempotent and `acks=all`, so a 2xx means every
    /// record is on the in-sync replicas; a record not acknowledged within
    /// INTAKE_PRODUCE_TIMEOUT_MS fails (the sender retries) instead of waiting forever.
    public static func intakeProducer(_ kafka: ContactSyncConfiguration.Kafka, _ intake: ContactSyncConfiguration.Intake)
        -> RDKafkaConfig
    {
        var properties: [String: String] = [
            "bootstrap.servers": kafka.brokers,
            "client.id": "contact-sync-intake",
            "linger.ms": "2",
            "reconnect.backoff.max.ms": "2000",
            // The Java client's partitioner: a customer's webhook events land in the
            // partition a Java store producer would put its Kafka events in.
            "partitioner": "murmur2_random",
            // In-flight bytes are bounded before the body is read; this is a backstop.
            "queue.buffering.max.kbytes": String(max(intake.maxInFlightBytes / 1024 * 2, 4096)),
        ]
        properties.merge(kafka.passthrough.filter { !consumerOnly.contains($0.key) }, uniquingKeysWith: { _, user in user })
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        properties["message.timeout.ms"] = String(intake.produceTimeout.nanosecondsClamped / 1_000_000)
        return RDKafkaConfig(properties)
    }
}

/// Builds the intake from a configuration whose `intake.secrets` are loaded.
/// Its metrics go through `metricsFactory` (the process-wide one by default).
public func buildIntake(
    configuration: ContactSyncConfiguration, logger: Logger, metricsFactory: PrometheusMetricsFactory? = nil,
    onListening: (@Sendable (Int) async -> Void)? = nil
) throws -> IntakeServices {
    let settings = configuration.intake
    // The base64 text is what a file, a log line or an error could show.
    for secret in settings.secrets { SecretRedaction.register(Base64.encode(secret.key)) }
    let metrics = metricsFactory.map { IntakeMetrics(factory: $0) } ?? IntakeMetrics()
    let producer = try IntakeProducer(
        properties: KafkaProperties.intakeProducer(configuration.kafka, settings),
        probeTopics: [settings.profileTopic, settings.loginTopic], logger: logger)
    let handler = IntakeHandler(
        settings: settings, decodeLimits: configuration.decodeLimits, producer: producer, metrics: metrics, logger: logger)
    let deadlines = ReadDeadlines()
    let server = IntakeServer.make(
        handler: handler, deadlines: deadlines, metrics: metrics, logger: logger, onListening: onListening)
    return IntakeServices(producer: producer, deadlines: deadlines, server: server)
}

/// `contact-sync intake`: the intake alone, with `/healthz`, `/readyz` and `/metrics` on HTTP_PORT.
public func buildIntakeProcess(
    configuration: ContactSyncConfiguration, logger: Logger, registry: PrometheusCollectorRegistry,
    metricsFactory: PrometheusMetricsFactory? = nil,
    onIntakeListening: (@Sendable (Int) async -> Void)? = nil,
    onOpsListening: (@Sendable (Int) async -> Void)? = nil
) throws -> IntakeProcessServices {
    let intake = try buildIntake(
        configuration: configuration, logger: logger, metricsFactory: metricsFactory, onListening: onIntakeListening)
    let ops = OpsServer.make(
        host: configuration.httpHost, port: configuration.httpPort, notReadyReasons: { intake.notReadyReasons },
        registry: registry, logger: logger, onListening: onOpsListening)
    return IntakeProcessServices(intake: intake, ops: ops)
}
