import ContactSync
import ContactSyncCore
import Foundation
import Logging
import LoopbackHTTP
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

/// Two Standard Webhooks secrets (24 random bytes each, base64), as a sender holds them.
let intakeSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
let intakeRotatedSecret = "whsec_dGhpcyBpcyBhIHNlY29uZCBzZWNyZXQh"

/// A signed delivery, built the way a Standard Webhooks sender builds one.
struct SignedDelivery: Sendable {
    var id: String
    var timestamp: Int64
    var body: [UInt8]
    var signature: String
    var contentType = "application/json"

    init(id: String = "msg_\(UUID().uuidString)", body: String, secret: String = intakeSecret, timestamp: Int64? = nil) {
        self.init(id: id, body: Array(body.utf8), secret: secret, timestamp: timestamp)
    }

    init(id: String, body: [UInt8], secret: String = intakeSecret, timestamp: Int64? = nil) {
        self.id = id
        self.timestamp = timestamp ?? Int64(Date().timeIntervalSince1970)
        self.body = body
        signature = "v1," + Self.mac(secret: secret, id: id, timestamp: self.timestamp, body: body)
    }

    /// base64(HMAC-SHA256(key, "id.timestamp.body")) with the key the secret's base64 names.
    static func mac(secret: String, id: String, timestamp: Int64, body: [UInt8]) -> String {
        let key = try! WebhookSecret(parsing: secret).key
        return Base64.encode(HMACSHA256.authenticationCode(key: key, message: Array("\(id).\(timestamp).".utf8) + body))
    }

    var headers: [String: String] {
        ["webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature, "Content-Type": contentType]
    }
}

struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var json: [String: Any] { parseJSON(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// One HTTP request over a real socket; nil when nothing answered.
func httpRequest(
    _ url: String, method: String = "POST", headers: [String: String] = [:], body: [UInt8]? = nil,
    timeout: TimeInterval = 30
) async -> HTTPAnswer? {
    let fields = headers.map { ($0.key, $0.value) }
    guard let answer = try? await LoopbackHTTP.send(method, url, headers: fields, body: body, timeout: .seconds(timeout))
    else { return nil }
    return HTTPAnswer(status: answer.status, headers: answer.headers, body: answer.body)
}

func post(_ delivery: SignedDelivery, to url: String, removing: Set<String> = []) async -> HTTPAnswer? {
    await httpRequest(url, headers: delivery.headers.filter { !removing.contains($0.key) }, body: delivery.body)
}

/// A secrets file for INTAKE_SIGNING_SECRETS_FILE, mode 600, removed at deinit.
final class SecretsFile: Sendable {
    let path: String

    init(_ secrets: [String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("intake-secrets-\(UUID().uuidString)").path
        let text = "# webhook signing secrets\n" + secrets.joined(separator: "\n") + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The intake running in-process (as `contact-sync intake` runs it) against a test's topics.
final class RunningIntake: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let services: IntakeProcessServices
    let registry: PrometheusCollectorRegistry
    let port: Int
    let opsPort: Int
    var url: String { "http://127.0.0.1:\(port)/v1/events" }

    static func start(
        topics: TestTopics, brokers: String = TestBroker.address, secrets: [String] = [intakeSecret, intakeRotatedSecret],
        tweak: (inout ContactSyncConfiguration.Intake) -> Void = { _ in }
    ) async throws -> RunningIntake {
        var configuration = ContactSyncConfiguration()
        configuration.kafka.brokers = brokers
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.intake.port = 0
        configuration.intake.profileTopic = topics.profile
        configuration.intake.loginTopic = topics.login
        configuration.intake.secrets = try secrets.map { try WebhookSecret(parsing: $0) }
        tweak(&configuration.intake)
        var logger = Logger(label: "contact-sync-intake.test")
        logger.logLevel = .warning
        let registry = PrometheusCollectorRegistry()
        let ports = PortBox()
        let services = try buildIntakeProcess(
            configuration: configuration, logger: logger, registry: registry, metricsFactory: .contactSync(registry: registry),
            onIntakeListening: { ports.setIntake($0) }, onOpsListening: { ports.setOps($0) })
        let group = ServiceGroup(services: services.all, logger: logger)
        let task = Task { try await group.run() }
        let listening = await eventually(timeout: .seconds(10)) { ports.both != nil }
        precondition(listening, "the intake did not start listening")
        let (port, opsPort) = ports.both!
        return RunningIntake(group: group, task: task, services: services, registry: registry, port: port, opsPort: opsPort)
    }

    private init(
        group: ServiceGroup, task: Task<Void, any Error>, services: IntakeProcessServices, registry: PrometheusCollectorRegistry,
        port: Int, opsPort: Int
    ) {
        self.group = group
        self.task = task
        self.services = services
        self.registry = registry
        self.port = port
        self.opsPort = opsPort
    }

    var metrics: String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Ports reported by listeners as they start.
final class PortBox: Sendable {
    private let ports = Mutex<(intake: Int?, ops: Int?)>((nil, nil))
    func setIntake(_ port: Int) { ports.withLock { $0.intake = port } }
    func setOps(_ port: Int) { ports.withLock { $0.ops = port } }
    var both: (Int, Int)? { ports.withLock { state in state.intake.flatMap { i in state.ops.map { (i, $0) } } } }
}
