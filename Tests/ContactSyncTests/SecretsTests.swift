import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// The API key stays on the server: it appears in nothing the service writes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SecretsTests {
    /// Runs a full sync in a child process at trace level and collects everything it wrote.
    private func syncAndCollect(keyByFile: Bool, keyFileMode: Int = 0o600) async throws -> (everything: String, log: String) {
        let topics = TestTopics(keyByFile ? "secret-file" : "secret-env")
        try await topics.create()
        let sim = try await startSim()
        defer { Task { await sim.stop() } }
        var extra = ["LOG_LEVEL": "trace"]
        if keyByFile {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
            try testKey.write(to: file, atomically: true, encoding: .utf8)
            chmod(file.path, mode_t(keyFileMode))
            extra["BOOKBAG_API_KEY_FILE"] = file.path
        } else {
            extra["BOOKBAG_API_KEY"] = testKey
        }
        try await produce(topics.profile, [
            ("s-1", profileEvent("s1", "s-1", at: "2026-11-24T10:00:00Z", fields: #""email":"private.person@example.org","name":"Zebulon Secretname","phone":"+15559876543","custom_attributes":{"plan":"pro"}"#)),
            ("s-2", #"{"type":"profile_changed","event_id":"s2","#),
        ])
        let opsPort = freePort()
        let service = try ServiceProcess(environment: serviceEnvironment(topics: topics, simURL: sim.baseURL, opsPort: opsPort, extra: extra))
        let results = try await readRecords(topics.results, atLeast: 2)
        let deadLetters = try await readRecords(topics.deadLetters, atLeast: 1)
        let metrics = await httpGet("http://127.0.0.1:\(opsPort)/metrics")
        service.signal(SIGTERM)
        #expect(await service.waitForExit() == 0)
        #expect(results.count == 2)
        #expect(metrics?.0 == 200)
        let log = service.output
        let everything = [log, metrics?.1 ?? ""]
            + results.map { String(decoding: $0.value, as: UTF8.self) }
            + deadLetters.map { String(decoding: $0.value, as: UTF8.self) }
        return (everything.joined(separator: "\n"), log)
    }

    private func expectNoKey(in text: String) {
        #expect(!text.contains(testKey), "the key appears whole")
        let secret = Array(testKey.utf8)
        for start in 0...(secret.count - 10) {
            let fragment = String(decoding: secret[start..<(start + 10)], as: UTF8.self)
            if text.contains(fragment) {
                Issue.record("a 10-character fragment of the key appears: \(fragment.prefix(3))…")
                return
            }
        }
    }

    @Test func keyFromTheEnvironmentAppearsNowhereEvenAtTraceLevel() async throws {
        let (everything, log) = try await syncAndCollect(keyByFile: false)
        #expect(log.contains("trace") || log.contains("debug"), "the log really was verbose")
        expectNoKey(in: everything)
        // No personal data in logs (external_id is allowed), nor per-contact metric labels.
        for secret in ["private.person@example.org", "Zebulon", "Secretname", "+15559876543"] {
            #expect(!log.contains(secret), "personal data in the log: \(secret)")
        }
        #expect(!everything.contains("s-1\"}"), "no per-contact metric labels")
    }

    @Test func keyFromAFileAppearsNowhereAndAWorldReadableFileIsWarnedAbout() async throws {
        let (everything, log) = try await syncAndCollect(keyByFile: true, keyFileMode: 0o644)
        expectNoKey(in: everything)
        #expect(log.contains("can be read by group or others"))
    }

    @Test func helpAndConfigurationErrorsDoNotShowTheKey() async throws {
        let help = try ServiceProcess(environment: ["BOOKBAG_API_KEY": testKey], arguments: ["--help"])
        #expect(await help.waitForExit() == 0)
        #expect(help.output.contains("BOOKBAG_API_KEY_FILE"))
        expectNoKey(in: help.output)

        let plainHTTP = try ServiceProcess(environment: [
            "BOOKBAG_API_KEY": testKey, "BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_BASE_URL": "http://bookbag.example.com",
        ])
        #expect(await plainHTTP.waitForExit() == 2)
        #expect(plainHTTP.output.contains("only sent over https://"))
        expectNoKey(in: plainHTTP.output)
    }

    @Test func aRefusedKeyStopsProgressLoudlyWithoutShowingTheKey() async throws {
        let topics = TestTopics("secret-401")
        try await topics.create(partitions: 1)
        let sim = try await startSim()
        defer { Task { await sim.stop() } }
        let wrongKey = "oc_wrong_key_6d1e8b0c4a2f9e7d"
        try await produce(topics.profile, [("w-1", profileEvent("w1", "w-1", at: "2026-11-24T10:00:00Z", fields: #""name":"W""#))])
        let opsPort = freePort()
        let service = try ServiceProcess(environment: serviceEnvironment(
            topics: topics, simURL: sim.baseURL, opsPort: opsPort, extra: ["BOOKBAG_API_KEY": wrongKey, "LOG_LEVEL": "debug"]))
        #expect(await eventually(timeout: .seconds(30)) { service.output.contains("HTTP 401") })
        let ready = await httpGet("http://127.0.0.1:\(opsPort)/readyz")
        #expect(ready?.0 == 503)
        #expect(ready?.1.contains("Bookbag configuration error") == true)
        service.signal(SIGTERM)
        #expect(await service.waitForExit() == 0)
        #expect(!service.output.contains(wrongKey))
        #expect(!service.output.contains(String(wrongKey.dropFirst(3).prefix(12))))
        // Nothing was marked failed, and nothing was committed: the record is read again later.
        let committed = await committedOffset(group: topics.group, TopicPartition(topic: topics.profile, partition: 0))
        #expect((committed ?? -1) < 1)
    }
}
