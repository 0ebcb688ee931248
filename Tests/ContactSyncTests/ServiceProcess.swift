import Foundation
import LoopbackHTTP
import Testing

/// The built `contact-sync` binary, run as a child process with its output in a
/// file (for tests that kill it by signal or read everything it wrote).
final class ServiceProcess: Sendable {
    let process: ChildProcess
    let logURL: URL
    /// The clock store this process was given because the test named none (removed at deinit).
    let ownStore: String?

    static var binary: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("contact-sync"),
            root.appendingPathComponent(".build/debug/contact-sync"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }

    init(environment: [String: String], arguments: [String] = []) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("contact-sync-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KAFKA_") && !$0.key.hasPrefix("BOOKBAG_") }
        env.merge(environment, uniquingKeysWith: { _, new in new })
        // Without one, the service opens its default store in the working directory: the checkout.
        if env["CLOCK_STORE_PATH"] == nil {
            let store = FileManager.default.temporaryDirectory.appendingPathComponent("contact-sync-clocks-\(UUID().uuidString).sqlite").path
            env["CLOCK_STORE_PATH"] = store
            ownStore = store
        } else {
            ownStore = nil
        }
        process = try ChildProcess(executable: Self.binary.path, arguments: arguments, environment: env, outputPath: logURL.path)
    }

    var output: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// Waits for the exit and returns the exit code (or the signal that ended it).
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        await process.exit(timeout: timeout)
    }

    deinit {
        process.killAndReap()
        try? FileManager.default.removeItem(at: logURL)
        if let ownStore {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: ownStore + suffix) }
        }
    }
}

/// A free TCP port on loopback.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GET a local URL, returning status and body (nil when nothing answers).
func httpGet(_ url: String) async -> (Int, String)? {
    guard let answer = try? await LoopbackHTTP.send("GET", url) else { return nil }
    return (answer.status, String(decoding: answer.body, as: UTF8.self))
}

/// Environment for a child contact-sync talking to a test's topics and sim.
func serviceEnvironment(topics: TestTopics, simURL: String, opsPort: Int, extra: [String: String] = [:]) -> [String: String] {
    var env = [
        "KAFKA_BROKERS": TestBroker.address, "KAFKA_GROUP_ID": topics.group,
        "KAFKA_TOPICS": "\(topics.profile),\(topics.login)", "RESULT_TOPIC": topics.results,
        "DEAD_LETTER_TOPIC": topics.deadLetters, "KAFKA_SESSION_TIMEOUT_MS": "6000",
        "CLOCK_TOPIC": topics.clocks, "CLOCK_STORE_PATH": topics.storePath("process-\(opsPort)"),
        "BOOKBAG_BASE_URL": simURL, "BOOKBAG_CHATBOT_ID": "123",
        "HTTP_HOST": "127.0.0.1", "HTTP_PORT": String(opsPort),
    ]
    env.merge(extra, uniquingKeysWith: { _, new in new })
    return env
}
