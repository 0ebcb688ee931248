import Foundation
import Testing

/// `--log-level` and `--log-format` are settings like any other: the flag
/// works as the variable does (they used to be accepted and ignored).
@Suite struct LoggingFlagsTests {
    @Test func logFormatFlagSelectsJSON() async throws {
        // A configuration error (no chatbot id) is logged at critical, before anything else runs.
        let run = try ServiceProcess(
            environment: ["LOG_LEVEL": "", "LOG_FORMAT": "", "BOOKBAG_API_KEY": testKey], arguments: ["--log-format", "json"])
        #expect(await run.waitForExit() == 2)
        let line = run.output.split(separator: "\n").first { $0.contains("BOOKBAG_CHATBOT_ID") }
        let object = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(object?["level"] as? String == "critical", "one JSON object per line: \(run.output)")
    }

    @Test func logLevelFlagSilencesWhatIsBelowIt() async throws {
        // A key file others can read is worth a warning, logged as the service starts.
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try testKey.write(to: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile.path)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let environment = [
            "LOG_LEVEL": "", "LOG_FORMAT": "", "BOOKBAG_API_KEY_FILE": keyFile.path, "BOOKBAG_CHATBOT_ID": "123",
            "BOOKBAG_BASE_URL": "http://127.0.0.1:\(freePort())", "KAFKA_BROKERS": "127.0.0.1:\(freePort())",
            "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0",
        ]
        let loud = try ServiceProcess(environment: environment)
        #expect(await eventually(timeout: .seconds(20)) { loud.output.contains("can be read by group or others") })
        loud.signal(SIGTERM)
        _ = await loud.waitForExit()

        let quiet = try ServiceProcess(environment: environment, arguments: ["--log-level", "error"])
        // The warning comes before the service starts; by the time its ops endpoint would be
        // up it has long been written, if it is going to be.
        try await Task.sleep(for: .seconds(3))
        quiet.signal(SIGTERM)
        _ = await quiet.waitForExit()
        #expect(!quiet.output.contains("can be read by group or others"), "--log-level error hides warnings: \(quiet.output)")
    }
}
