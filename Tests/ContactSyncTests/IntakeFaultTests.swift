import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Synchronization
import Testing
import Workload

/// The intake under the faults a production webhook receiver meets: the broker
/// away, the process killed mid-load, secrets that must never show; and the
/// whole road, webhook to Bookbag.
@Suite(.serialized)
struct IntakeFaultTests {
    @Test
    func brokerDownAnswers503AndRetriedDeliveriesLandOnce() async throws {
        let port = freePort()
        let address = "127.0.0.1:\(port)"
        var broker = try TansuProcess(port: port)
        let topics = TestTopics("intakedown")
        try await topics.create(on: address, withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics, brokers: address) { $0.produceTimeout = .seconds(2) }
        let first = SignedDelivery(body: loginEvent("id-1", "down-1", at: "2026-11-24T10:00:00Z"))
        #expect(await post(first, to: intake.url)?.status == 202)
        #expect(await eventually(timeout: .seconds(10)) { await httpGet("http://127.0.0.1:\(intake.opsPort)/readyz")?.0 == 200 })

        broker.stop()
        let delivery = SignedDelivery(id: "msg_while_down", body: loginEvent("id-2", "down-2", at: "2026-11-24T10:00:01Z"))
        let refused = try #require(await post(delivery, to: intake.url))
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.headers["retry-after"] != nil)
        #expect(await eventually(timeout: .seconds(15)) {
            await httpGet("http://127.0.0.1:\(intake.opsPort)/readyz").map { $0.0 == 503 && $0.1.contains("intake") } ?? false
        }, "/readyz names the intake's broker")
        progress("intake broker down: 503 while down")

        broker = try TansuProcess(port: port)
        try await topics.create(on: address, withClockTopic: false)  // Tansu keeps data in memory
        var accepted = false
        for attempt in 1...30 where !accepted {
            // The sender's retry: the same id, signed again.
            let retry = SignedDelivery(id: delivery.id, body: delivery.body)
            let answer = await post(retry, to: intake.url)
            accepted = answer?.status == 202
            if !accepted {
                #expect(answer?.status == 503, "attempt \(attempt): \(answer?.text ?? "no answer")")
                try await Task.sleep(for: .seconds(1))
            }
        }
        #expect(accepted, "accepted once the broker is back")
        let again = await post(SignedDelivery(id: delivery.id, body: delivery.body), to: intake.url)
        #expect(again?.json["duplicate"] as? Bool == true)
        let records = try await readWholeTopic(topics.login, brokers: address)
        #expect(records.count == 1, "the retried delivery landed once")
        #expect(records.first.map { String(decoding: $0.value, as: UTF8.self) } == String(decoding: delivery.body, as: UTF8.self))
        try await intake.stop()
        broker.stop()
    }

    /// Every event that got a 2xx is in Kafka, though the intake was killed with SIGKILL mid-load.
    @Test
    func killedUnderLoadLosesNoAcknowledgedEvent() async throws {
        let topics = TestTopics("intakekill")
        try await topics.create(withClockTopic: false)
        let secrets = try SecretsFile([intakeSecret])
        let (intakePort, opsPort) = (freePort(), freePort())
        let process = try ServiceProcess(
            environment: [
                "KAFKA_BROKERS": TestBroker.address, "INTAKE_PORT": String(intakePort), "HTTP_PORT": String(opsPort),
                "INTAKE_SIGNING_SECRETS_FILE": secrets.path, "INTAKE_PROFILE_TOPIC": topics.profile,
                "INTAKE_LOGIN_TOPIC": topics.login,
            ],
            arguments: ["intake"])
        #expect(await eventually(timeout: .seconds(20)) { await httpGet("http://127.0.0.1:\(opsPort)/readyz")?.0 == 200 }, "\(process.output)")
        let url = "http://127.0.0.1:\(intakePort)/v1/events"
        let acknowledged = LockedBox<[String]>([])
        let stop = LockedBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<8 {
                group.addTask {
                    var sequence = 0
                    while !stop.value {
                        let ids = (0..<10).map { "k\(sender)-\(sequence)-\($0)" }
                        sequence += 1
                        let body = #"{"events":["# + ids.map { loginEvent($0, "kill-\(sender)-\($0.suffix(1))", at: "2026-11-24T10:00:00Z") }.joined(separator: ",") + "]}"
                        guard let answer = await post(SignedDelivery(body: body), to: url) else { continue }
                        if answer.status == 202 { acknowledged.withLock { $0 += ids } }
                    }
                }
            }
            group.addTask {
                _ = await eventually(timeout: .seconds(30)) { acknowledged.withLock { $0.count } >= 2_000 }
                process.signal(SIGKILL)
                try await Task.sleep(for: .seconds(1))
                stop.withLock { $0 = true }
            }
            try await group.waitForAll()
        }
        let ids = acknowledged.withLock { $0 }
        progress("intake kill -9: \(ids.count) events acknowledged before and around the kill")
        #expect(ids.count >= 2_000)
        // More than the acknowledged events may be there (written, but killed before the answer).
        let wanted = Set(ids)
        let login = topics.login
        let records = try await offPool {
            let reader = try KafkaTopicReader(brokers: TestBroker.address, topics: [login])
            defer { reader.close() }
            var found = Set<String>()
            return reader.read(timeout: .seconds(30)) { records in
                if let last = records.last, let id = try? EventDecoder.decode(last.value).get().eventID { found.insert(id) }
                return wanted.isSubset(of: found)
            }
        }
        let written = Set(records.compactMap { try? EventDecoder.decode($0.value).get().eventID })
        let missing = ids.filter { !written.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged events missing, e.g. \(missing.prefix(3))")
    }

    /// The signing secrets, like the Bookbag key, appear in nothing the process writes.
    @Test
    func signingSecretsAppearNowhere() async throws {
        let topics = TestTopics("intakesecret")
        try await topics.create(withClockTopic: false)
        let secrets = try SecretsFile([intakeSecret, intakeRotatedSecret])
        let (intakePort, opsPort) = (freePort(), freePort())
        let environment = [
            "KAFKA_BROKERS": TestBroker.address, "INTAKE_PORT": String(intakePort), "HTTP_PORT": String(opsPort),
            "INTAKE_SIGNING_SECRETS_FILE": secrets.path, "INTAKE_PROFILE_TOPIC": topics.profile,
            "INTAKE_LOGIN_TOPIC": topics.login, "LOG_LEVEL": "trace", "LOG_FORMAT": "json",
        ]
        let process = try ServiceProcess(environment: environment, arguments: ["intake"])
        #expect(await eventually(timeout: .seconds(20)) { await httpGet("http://127.0.0.1:\(opsPort)/readyz")?.0 == 200 })
        let url = "http://127.0.0.1:\(intakePort)/v1/events"
        var answers: [String] = []
        let good = SignedDelivery(body: profileEvent("is-1", "secret-1", at: "2026-11-24T10:00:00Z", fields: #""name":"Quiet""#))
        answers.append(await post(good, to: url)?.text ?? "")
        var forged = good
        forged.signature = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        answers.append(await post(forged, to: url)?.text ?? "")
        let metrics = await httpGet("http://127.0.0.1:\(opsPort)/metrics")?.1 ?? ""
        process.signal(SIGTERM)
        #expect(await process.waitForExit() == 0)

        // A damaged secrets file is refused without showing its lines.
        let damaged = try SecretsFile(["whsec_" + String(intakeSecret.dropFirst(6).dropLast(4)) + "!!!!"])
        var broken = environment
        broken["INTAKE_SIGNING_SECRETS_FILE"] = damaged.path
        let refusing = try ServiceProcess(environment: broken, arguments: ["intake"])
        #expect(await refusing.waitForExit() == 2)
        // `check intake` says what the intake would do, and reaches its topics.
        let check = try ServiceProcess(environment: environment, arguments: ["check", "intake"])
        #expect(await check.waitForExit() == 0, "\(check.output)")
        #expect(check.output.contains("ok    intake signing secrets: 2"), "\(check.output)")
        #expect(check.output.contains("ok    topic \(topics.login)"), "\(check.output)")
        let log = process.output + refusing.output + check.output
        #expect(log.contains("webhook_id"), "the JSON log carries the webhook-id")
        #expect(refusing.output.contains("INTAKE_SIGNING_SECRETS_FILE"), "\(refusing.output)")
        let everything = ([log, metrics] + answers).joined(separator: "\n")
        for secret in [intakeSecret, intakeRotatedSecret] {
            let base64 = String(secret.dropFirst(6))
            for start in 0...(base64.count - 10) {
                let fragment = String(Array(base64)[start..<(start + 10)])
                #expect(!everything.contains(fragment), "a 10-character fragment of a secret appears")
            }
        }
        #expect(!everything.contains("Quiet"), "no personal data beyond external_id")
    }

    /// Webhook deliveries -> Kafka -> contact-sync -> Bookbag: the final state is exact.
    @Test
    func webhookDeliveriesReachBookbagExactly() async throws {
        let topics = TestTopics("intakee2e")
        try await topics.create()
        try await withBookbagSim { sim in
            let intakePort = freePort()
            let service = try RunningService(topics: topics, sim: sim) { configuration in
                configuration.intake.enabled = true
                configuration.intake.port = intakePort
                configuration.intake.profileTopic = topics.profile
                configuration.intake.loginTopic = topics.login
                configuration.intake.secrets = [try! WebhookSecret(parsing: intakeSecret)]
            }
            let spec = DurableClockTests.lateTraffic(events: 3_000, customers: 400, seed: 1301, "hook")
            var expected = ExpectedState()
            var events: [[UInt8]] = []
            for record in WorkloadGenerator(spec: spec) where !record.isBad {
                expected.apply(record)
                events.append(record.value)
            }
            let url = "http://127.0.0.1:\(intakePort)/v1/events"
            #expect(await eventually(timeout: .seconds(20)) { await httpRequest(url, method: "GET")?.status == 405 }, "the intake listens")
            let batches = stride(from: 0, to: events.count, by: 50).map { Array(events[$0..<min($0 + 50, events.count)]) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for batch in batches.enumerated() where batch.offset % 4 == lane {
                            let body = Array(#"{"events":["#.utf8) + Array(batch.element.joined(separator: Array(",".utf8))) + Array("]}".utf8)
                            let answer = await post(SignedDelivery(id: "msg_e2e_\(batch.offset)", body: body), to: url)
                            #expect(answer?.status == 202, "batch \(batch.offset): \(answer?.text ?? "no answer")")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let contacts = expected.contacts
            #expect(await eventually(timeout: .seconds(120)) { mismatches(contacts, in: sim.state).isEmpty },
                "\(mismatches(contacts, in: sim.state).prefix(5))")
            try await service.stop()
        }
    }
}

/// A value shared by concurrent test tasks.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
