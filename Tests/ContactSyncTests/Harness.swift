import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

/// The Tansu broker the suite talks to over a real socket. `scripts/test.sh`
/// starts one and exports CONTACT_SYNC_TEST_BROKERS; without it the suite
/// starts its own from .deps/tansu (installed by scripts/setup.sh).
enum TestBroker {
    static let address: String = {
        if let given = ProcessInfo.processInfo.environment["CONTACT_SYNC_TEST_BROKERS"], !given.isEmpty { return given }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".deps/tansu/tansu").path
        precondition(FileManager.default.isExecutableFile(atPath: binary), "no broker: run scripts/setup.sh, or set CONTACT_SYNC_TEST_BROKERS")
        let port = 29_000 + Int(getpid() % 1000)
        let process = try! ChildProcess(
            executable: binary,
            arguments: ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"])
        atexit { kill(TestBroker.childPID, SIGKILL) }
        childPID = process.pid
        precondition(waitForListener(port: port, timeout: .seconds(20)), "the test broker did not listen on port \(port) within 20 s")
        return "127.0.0.1:\(port)"
    }()
    nonisolated(unsafe) static var childPID: Int32 = 0
}

/// Topics and a group used by one test only, so tests never see each other's records.
struct TestTopics {
    let prefix: String
    var profile: String { "\(prefix).profile-changed" }
    var login: String { "\(prefix).login" }
    var results: String { "\(prefix).results" }
    var deadLetters: String { "\(prefix).dead-letter" }
    var group: String { "\(prefix).group" }
    /// The compacted field-clock changelog (CLOCK_TOPIC).
    var clocks: String { "\(prefix).field-clocks" }
    var all: [String] { [profile, login, results, deadLetters] }
    /// A fresh local clock store path for one replica of this test (CLOCK_STORE_PATH).
    func storePath(_ replica: String = "0") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).\(replica).clocks.sqlite").path
    }

    init(_ name: String) {
        prefix = "t\(UInt32.random(in: 0...UInt32.max)).\(name)"
    }

    /// Creates the topics and, unless `withClockTopic` is false, the compacted clock topic.
    func create(partitions: Int32 = 3, on brokers: String = TestBroker.address, withClockTopic: Bool = true) async throws {
        let names = all
        let clocks = clocks
        try await offPool {
            let producer = try KafkaTrafficProducer(brokers: brokers)
            try producer.createTopics(names, partitions: partitions)
            if withClockTopic { try producer.createTopics([clocks], partitions: partitions, configs: ["cleanup.policy": "compact"]) }
        }
    }
}

let testKey = "oc_integration_key_7f3a9c2e5b8d1f4a"

/// contact-sync running in-process against the broker and a bookbag-sim.
final class RunningService: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let services: ContactSyncServices
    let registry: PrometheusCollectorRegistry
    private let ops: ListeningPort

    /// The ops endpoint's port (/healthz, /readyz, /metrics) once it listens (HTTP_PORT 0: the system picks it).
    var opsPort: Int? { ops.port }

    init(topics: TestTopics, sim: RunningBookbagSim, tweak: (inout ContactSyncConfiguration) -> Void = { _ in }) throws {
        var configuration = ContactSyncConfiguration()
        configuration.kafka.brokers = TestBroker.address
        configuration.kafka.groupID = topics.group
        configuration.kafka.topics = [topics.profile, topics.login]
        configuration.kafka.resultTopic = topics.results
        configuration.kafka.deadLetterTopic = topics.deadLetters
        configuration.clocks.topic = topics.clocks
        configuration.clocks.storePath = topics.storePath("in-process-\(UInt32.random(in: 0...UInt32.max))")
        configuration.kafka.passthrough = ["session.timeout.ms": "6000"]
        configuration.bookbag.baseURL = sim.baseURL
        configuration.bookbag.chatbotID = sim.configuration.chatbotID
        configuration.bookbag.apiKey = APIKey(testKey)
        configuration.bookbag.retry.baseDelay = .milliseconds(50)
        configuration.bookbag.retry.maxDelay = .milliseconds(500)
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.shutdownTimeout = .seconds(10)
        tweak(&configuration)
        var logger = Logger(label: "contact-sync.test")
        logger.logLevel = .warning
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let ops = ListeningPort()
        self.ops = ops
        let services = try buildContactSyncServices(
            configuration: configuration, logger: logger, registry: registry,
            metricsFactory: .contactSync(registry: registry), onFatal: { message in Issue.record("fatal: \(message)") },
            onOpsListening: { ops.set($0) })
        self.services = services
        let group = ServiceGroup(services: services.all, logger: logger)
        self.group = group
        task = Task { try await group.run() }
    }

    /// Graceful shutdown, as on SIGTERM.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        await services.http.shutdown()
    }
}

/// The port a listener reports when it starts.
final class ListeningPort: Sendable {
    private let value = Mutex<Int?>(nil)
    func set(_ port: Int) { value.withLock { $0 = port } }
    var port: Int? { value.withLock { $0 } }
}

func startSim(faults: SimFaults = .none) async throws -> RunningBookbagSim {
    var logger = Logger(label: "bookbag-sim.test")
    logger.logLevel = .warning
    return try await BookbagSimServer.start(configuration: BookbagSimConfiguration(apiKey: testKey, faults: faults), logger: logger)
}

/// A bookbag-sim (the suite's key, these faults) for the length of `body`, stopped when it ends or throws.
@discardableResult
func withBookbagSim<T>(faults: SimFaults = .none, _ body: (RunningBookbagSim) async throws -> T) async throws -> T {
    try await withBookbagSim(startedBy: { try await startSim(faults: faults) }, body)
}

/// A bookbag-sim started by `start` for the length of `body`, stopped when it ends or throws.
@discardableResult
func withBookbagSim<T>(
    startedBy start: () async throws -> RunningBookbagSim, _ body: (RunningBookbagSim) async throws -> T
) async throws -> T {
    let sim = try await start()
    do {
        let value = try await body(sim)
        await sim.stop()
        return value
    } catch {
        await sim.stop()
        throw error
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` within `timeout`
/// (blocking: for process start-up, off the cooperative pool or before any test runs).
func waitForListener(port: Int, timeout: Duration) -> Bool {
    let deadline = ContinuousClock.now + timeout
    repeat {
        if acceptsConnections(port: port) { return true }
        usleep(20_000)
    } while ContinuousClock.now < deadline
    return false
}

private func acceptsConnections(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A parsed result record (contracts section 3).
struct ResultView: Sendable {
    var externalID: String?
    var status: String
    var eventIDs: [String]
    var errorCode: String?
    /// Why an unchanged contact was not sent (`older_than_stored`, `already_stored`).
    var reason: String?
    var sources: [(String, Int, Int)]
    var raw: String

    init(json: [String: Any]) {
        externalID = json["external_id"] as? String
        status = json["status"] as? String ?? ""
        eventIDs = json["event_ids"] as? [String] ?? []
        errorCode = (json["error"] as? [String: Any])?["code"] as? String
        reason = json["reason"] as? String
        sources = (json["sources"] as? [[String: Any]] ?? []).map {
            ($0["topic"] as? String ?? "", $0["partition"] as? Int ?? -1, $0["offset"] as? Int ?? -1)
        }
        raw = (try? JSONSerialization.data(withJSONObject: json)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

func parseJSON(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

/// Runs blocking work (librdkafka polls and flushes) on its own thread, so the
/// cooperative pool (2 threads on a 2-core machine) stays free for the service
/// under test.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await DedicatedThread.run(name: "test-off-pool", body)
}

/// Reads a topic from the start until `count` records arrived (or the timeout).
func readRecords(
    _ topic: String, atLeast count: Int, timeout: Duration = .seconds(60), brokers: String = TestBroker.address
) async throws -> [KafkaRecord] {
    try await offPool {
        let reader = try KafkaTopicReader(brokers: brokers, topics: [topic])
        defer { reader.close() }
        return reader.read(timeout: timeout) { $0.count >= count }
    }
}

/// The group's committed offset for one partition (nil when none or unreachable).
func committedOffset(group: String, _ partition: TopicPartition) async -> Int64? {
    try? await offPool {
        try KafkaGroupOffsets.committed(brokers: TestBroker.address, group: group, partitions: [partition])[partition]
    }
}

/// Sends events (JSON objects) keyed by external_id.
func produce(_ topic: String, _ values: [(key: String?, value: String)], brokers: String = TestBroker.address) async throws {
    let pairs = values.map { (key: $0.key, value: $0.value) }
    let undelivered = try await offPool {
        let producer = try KafkaTrafficProducer(brokers: brokers)
        for (key, value) in pairs {
            producer.send(topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8))
        }
        return producer.flush()
    }
    #expect(undelivered == 0)
}

func profileEvent(_ id: String, _ externalID: String, at time: String, fields: String) -> String {
    #"{"type":"profile_changed","event_id":"\#(id)","occurred_at":"\#(time)","external_id":"\#(externalID)"\#(fields.isEmpty ? "" : ",")\#(fields)}"#
}

func loginEvent(_ id: String, _ externalID: String, at time: String) -> String {
    #"{"type":"login","event_id":"\#(id)","occurred_at":"\#(time)","external_id":"\#(externalID)"}"#
}

/// Polls a condition until true or the timeout passes.
func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}
