import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Logging
import Testing

/// The API key stays on the server: it appears in nothing the service writes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SecretsTests {
    /// Runs a full sync in a child process at trace level and collects everything it wrote.
    private func syncAndCollect(keyByFile: Bool, keyFileMode: Int = 0o600) async throws -> (everything: String, log: String) {
        let topics = TestTopics(keyByFile ? "secret-file" : "secret-env")
        try await topics.create()
        return try await withBookbagSim { sim in
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
        try await withBookbagSim { sim in
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

    /// A key that looks nothing like `oc_…`, echoed back by a careless server,
    /// is still redacted from the log (at trace level), results, dead letters and /metrics.
    @Test func anEchoedKeyThatDoesNotLookLikeOneAppearsNowhere() async throws {
        let key = "Zq9-secret-XYZ"
        let echo = "token \(key) is not valid for this chatbot"
        let topics = TestTopics("secret-echo")
        try await topics.create(partitions: 1)
        var simLogger = Logger(label: "bookbag-sim.test")
        simLogger.logLevel = .warning
        try await withBookbagSim(startedBy: { try await BookbagSimServer.start(configuration: BookbagSimConfiguration(apiKey: key), logger: simLogger) }) { sim in
            let opsPort = freePort()
            let service = try ServiceProcess(environment: serviceEnvironment(
                topics: topics, simURL: sim.baseURL, opsPort: opsPort, extra: ["BOOKBAG_API_KEY": key, "LOG_LEVEL": "trace"]))
            // A first contact while all is well, so attribute definitions are known before the faults.
            try await produce(topics.profile, [("e-0", profileEvent("e0", "e-0", at: "2026-11-24T10:00:00Z", fields: #""name":"D""#))])
            _ = try await readRecords(topics.results, atLeast: 1, timeout: .seconds(30))

            // A refusal quoting the key: the contact is rejected with Bookbag's message.
            sim.state.setFaults(SimFaults(failStatus: 400, failMessage: echo))
            try await produce(topics.profile, [
                ("e-1", profileEvent("e1", "e-1", at: "2026-11-24T10:00:00Z", fields: #""name":"E""#)),
                ("e-bad", #"{"type":"profile_changed","#),
            ])
            let first = try await readRecords(topics.results, atLeast: 2, timeout: .seconds(30))
            // A short outage quoting the key: logged retries, then success.
            sim.state.setFaults(SimFaults(failStatus: 503, failForMilliseconds: 1500, failMessage: echo))
            try await produce(topics.profile, [("e-2", profileEvent("e2", "e-2", at: "2026-11-24T10:00:00Z", fields: #""name":"F""#))])
            let results = try await readRecords(topics.results, atLeast: 3, timeout: .seconds(30))
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: 1, timeout: .seconds(30))
            let metrics = await httpGet("http://127.0.0.1:\(opsPort)/metrics")
            let ready = await httpGet("http://127.0.0.1:\(opsPort)/readyz")
            service.signal(SIGTERM)
            #expect(await service.waitForExit() == 0)

            #expect(first.count == 2 && results.count == 3 && deadLetters.count == 1)
            let texts = results.map { String(decoding: $0.value, as: UTF8.self) }
            let rejected = texts.first { $0.contains("\"e-1\"") }
            #expect(rejected?.contains("rejected") == true && rejected?.contains("[redacted]") == true, "\(texts)")
            #expect(service.output.contains("[redacted]"), "the echo reached the log, redacted")
            let everything = [service.output, metrics?.1 ?? "", ready?.1 ?? ""] + texts
                + deadLetters.map { String(decoding: $0.value, as: UTF8.self) }
            #expect(!everything.joined(separator: "\n").contains(key), "the key appears somewhere")
        }
    }

    /// Flags are visible to every user in /proc/<pid>/cmdline: secrets are refused there.
    @Test func secretFlagsAreRefusedByTheBinaryWithoutShowingThem() async throws {
        let environment = [
            "BOOKBAG_API_KEY": testKey, "BOOKBAG_CHATBOT_ID": "123", "KAFKA_BROKERS": TestBroker.address,
            "HTTP_HOST": "127.0.0.1", "HTTP_PORT": String(freePort()),
        ]
        for arguments in [
            ["check", "--bookbag-api-key", "Zq9-flag-secret"], ["--bookbag-api-key=Zq9-flag-secret"],
            ["--kafka-sasl-password", "Zq9-flag-secret"],
        ] {
            let process = try ServiceProcess(environment: environment, arguments: arguments)
            let exit = await process.waitForExit(timeout: .seconds(20))
            if exit == nil { process.signal(SIGKILL) }
            #expect(exit == 2, "\(arguments): exit \(exit.map(String.init) ?? "none")")
            #expect(process.output.contains("command line"), "\(arguments): \(process.output)")
            #expect(!process.output.contains("Zq9-flag-secret"))
        }
    }
}
