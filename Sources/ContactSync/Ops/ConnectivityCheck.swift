import ContactSyncCore
import FoundationEssentials
import Logging

/// `contact-sync check`: validates the configuration and reaches both sides.
/// `contact-sync check intake` checks what `contact-sync intake` needs instead
/// (Kafka, the intake's topics and secrets; no Bookbag).
public enum ConnectivityCheck {
    public static func run(
        environment: [String: String], flags: [String], scope: ConfigurationReader.Scope = .sync,
        print: (String) -> Void
    ) async -> Bool {
        var logger = Logger(label: "contact-sync.check")
        logger.logLevel = .critical
        let configuration: ContactSyncConfiguration
        do {
            configuration = try ConfigurationReader.read(environment: environment, flags: flags, scope: scope)
            SecretRedaction.register(configuration.bookbag.apiKey.secret)
            for secret in configuration.intake.secrets { SecretRedaction.register(Base64.encode(secret.key)) }
            print("ok    configuration")
        } catch {
            print("FAIL  configuration: \(error)")
            return false
        }
        var allOK = true
        for warning in configuration.warnings { print("warn  \(warning)") }
        if let notice = ConfigurationReader.ignoredVariablesNotice(configuration) { print("note  \(notice)") }
        do {
            try RDKafkaVersion.requireSupported()
            print("ok    librdkafka \(RDKafkaVersion.string)")
        } catch {
            print("FAIL  \(error)")
            return false
        }
        let intakeRuns = scope == .intake || configuration.intake.enabled
        if intakeRuns { printIntakeSettings(configuration, print: print) }
        if scope == .intake {
            return await checkIntakeTopics(configuration, logger: logger, print: print)
        }
        let httpSettings = HTTPClientSettings(bookbag: configuration.bookbag)
        do {
            try CurlHTTPClient.verifyCapabilities(httpSettings)
            print("ok    libcurl \(CurlHTTPClient.libcurlVersion)")
        } catch {
            print("FAIL  \(error)")
            return false
        }
        let metrics = ServiceMetrics()
        do {
            let producer = try RDKafkaProducerHandle(
                config: KafkaProperties.producer(configuration.kafka),
                callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
            var wanted = configuration.kafka.topics
                + [configuration.kafka.resultTopic, configuration.kafka.deadLetterTopic, configuration.clocks.topic]
            if intakeRuns {
                for topic in [configuration.intake.profileTopic, configuration.intake.loginTopic] where !wanted.contains(topic) {
                    print("warn  intake topic \(topic) is not one of KAFKA_TOPICS: this service will not consume what the intake writes there")
                    wanted.append(topic)
                }
            }
            let counts = try await DedicatedThread.run(name: "connectivity-check") { [wanted] in try producer.partitionCounts(of: wanted, timeoutMs: 10_000) }
            print("ok    Kafka reachable at \(configuration.kafka.brokers)")
            for topic in wanted {
                if let count = counts[topic] {
                    print("ok    topic \(topic): \(count) partition(s)")
                } else if topic == configuration.clocks.topic {
                    print("FAIL  clock topic \(topic) (CLOCK_TOPIC) does not exist: create it compacted (cleanup.policy=compact)")
                    allOK = false
                } else {
                    print("FAIL  topic \(topic) does not exist")
                    allOK = false
                }
            }
        } catch {
            print("FAIL  Kafka at \(configuration.kafka.brokers): \(error)")
            allOK = false
        }
        if !checkClockStoreLocation(configuration.clocks, print: print) { allOK = false }
        let http = CurlHTTPClient(settings: httpSettings)
        let client = BookbagClient(settings: configuration.bookbag, http: http, metrics: metrics)
        let answer = await client.listAttributes()
        switch answer.outcome {
        case .accepted:
            let count = (try? AttributeCatalog.parseList(answer.body).count).map(String.init) ?? "?"
            print("ok    Bookbag key and chatbot \(configuration.bookbag.chatbotID) work (\(count) custom attribute(s) defined)")
        case .configuration(let status, let message):
            print("FAIL  Bookbag answered HTTP \(status) (\(message)): check the API key, BOOKBAG_CHATBOT_ID and BOOKBAG_BASE_URL")
            allOK = false
        case let other:
            print("FAIL  Bookbag at \(configuration.bookbag.baseURL): \(other)")
            allOK = false
        }
        await http.shutdown()
        return allOK
    }

    private static func printIntakeSettings(_ configuration: ContactSyncConfiguration, print: (String) -> Void) {
        let intake = configuration.intake
        print("ok    intake signing secrets: \(intake.secrets.count) from \(intake.secretsFile ?? "?")")
        print("ok    intake listens on \(intake.host):\(intake.port) (POST /v1/events); profile_changed -> \(intake.profileTopic), login -> \(intake.loginTopic)")
        if intake.host != "127.0.0.1" && intake.host != "::1" && intake.host != "localhost" {
            print("note  the intake listens beyond loopback (\(intake.host)): put TLS in front of it (a load balancer or proxy)")
        }
    }

    /// For `check intake`: the broker answers and the intake's topics exist.
    private static func checkIntakeTopics(
        _ configuration: ContactSyncConfiguration, logger: Logger, print: (String) -> Void
    ) async -> Bool {
        let topics = [configuration.intake.profileTopic, configuration.intake.loginTopic]
        do {
            let producer = try RDKafkaProducerHandle(
                config: KafkaProperties.intakeProducer(configuration.kafka, configuration.intake),
                callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
            let counts = try await DedicatedThread.run(name: "connectivity-check") { try producer.partitionCounts(of: topics, timeoutMs: 10_000) }
            print("ok    Kafka reachable at \(configuration.kafka.brokers)")
            var allOK = true
            for topic in topics {
                if let count = counts[topic] {
                    print("ok    topic \(topic): \(count) partition(s)")
                } else {
                    print("FAIL  topic \(topic) does not exist")
                    allOK = false
                }
            }
            return allOK
        } catch {
            print("FAIL  Kafka at \(configuration.kafka.brokers): \(error)")
            return false
        }
    }

    /// The store itself is not opened (a running replica holds its lock): its
    /// folder must exist and be writable, and a missing file is restored at start.
    static func checkClockStoreLocation(_ clocks: ContactSyncConfiguration.Clocks, print: (String) -> Void) -> Bool {
        let path = clocks.storePath
        let folder = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? ""
        let directory = folder.isEmpty ? "." : folder
        guard FileManager.default.isWritableFile(atPath: directory) else {
            print("FAIL  clock store folder \(directory) (CLOCK_STORE_PATH) does not exist or is not writable")
            return false
        }
        if FileManager.default.fileExists(atPath: path) {
            print("ok    clock store \(path) exists")
        } else {
            print("ok    clock store \(path) does not exist yet: it is restored from \(clocks.topic) at start")
        }
        return true
    }
}
