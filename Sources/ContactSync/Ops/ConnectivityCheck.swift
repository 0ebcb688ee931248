import ContactSyncCore
import Foundation
import Logging

/// `contact-sync check`: validates the configuration and reaches both sides.
public enum ConnectivityCheck {
    public static func run(environment: [String: String], flags: [String], print: (String) -> Void) async -> Bool {
        var logger = Logger(label: "contact-sync.check")
        logger.logLevel = .critical
        let configuration: ContactSyncConfiguration
        do {
            configuration = try ConfigurationReader.read(environment: environment, flags: flags)
            SecretRedaction.register(configuration.bookbag.apiKey.secret)
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
            let wanted = configuration.kafka.topics
                + [configuration.kafka.resultTopic, configuration.kafka.deadLetterTopic, configuration.clocks.topic]
            let counts = try await Task.detached { try producer.partitionCounts(of: wanted, timeoutMs: 10_000) }.value
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

    /// The store itself is not opened (a running replica holds its lock): its
    /// folder must exist and be writable, and a missing file is restored at start.
    static func checkClockStoreLocation(_ clocks: ContactSyncConfiguration.Clocks, print: (String) -> Void) -> Bool {
        let path = clocks.storePath
        let folder = (path as NSString).deletingLastPathComponent
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
