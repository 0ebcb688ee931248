import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// The webhook intake against Tansu over real sockets (contracts section 5):
/// what it accepts lands in the input topics exactly once, keyed by
/// `external_id`; what it refuses writes nothing.
@Suite(.serialized)
struct IntakeTests {
    /// Every record of both input topics: acknowledged records are there when
    /// the answer comes, so both are read to their ends now.
    private func inputRecords(_ topics: TestTopics) async throws -> [KafkaRecord] {
        return try await readWholeTopic(topics.profile) + readWholeTopic(topics.login)
    }

    @Test
    func validSingleAndBatchDeliveriesLandOnceKeyedByExternalID() async throws {
        let topics = TestTopics("intakevalid")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics)
        let single = profileEvent("iv-1", "cust-1", at: "2026-11-24T10:00:00Z", fields: #""name":"Ada""#)
        let one = try #require(await post(SignedDelivery(body: single), to: intake.url))
        #expect(one.status == 202, "\(one.text)")
        #expect(one.json["accepted"] as? Int == 1)
        #expect(one.json["duplicate"] as? Bool == false)

        let batchEvents = [
            profileEvent("iv-2", "cust-2", at: "2026-11-24T10:00:01Z", fields: #""email":"b@example.com""#),
            loginEvent("iv-3", "cust-2", at: "2026-11-24T10:00:02Z"),
            loginEvent("iv-4", "cust-3", at: "2026-11-24T10:00:03Z"),
        ]
        let batch = SignedDelivery(id: "msg_batch_1", body: #"{"events": ["# + batchEvents.joined(separator: ", ") + "]}")
        let answer = try #require(await post(batch, to: intake.url))
        #expect(answer.status == 202, "\(answer.text)")
        #expect(answer.json["accepted"] as? Int == 3)
        #expect(answer.json["webhook_id"] as? String == "msg_batch_1")

        let records = try await inputRecords(topics)
        #expect(records.count == 4)
        let byValue = Dictionary(uniqueKeysWithValues: records.map { (String(decoding: $0.value, as: UTF8.self), $0) })
        for event in [single] + batchEvents {
            let record = try #require(byValue[event], "written as received: \(event)")
            let decoded = try EventDecoder.decode(record.value).get()
            #expect(record.key == Array(decoded.externalID.utf8), "keyed by external_id")
            #expect(record.topic == (decoded.kind == .login ? topics.login : topics.profile), "routed by type")
        }
        #expect(sumOf("contact_sync_intake_events_total", in: intake.metrics) == 4)
        try await intake.stop()
    }

    @Test
    func aSecondSecretWorksForRotationAndOneGoodSignatureAmongBadOnesPasses() async throws {
        let topics = TestTopics("intakerotate")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics)
        let rotated = SignedDelivery(body: loginEvent("ir-1", "rot-1", at: "2026-11-24T10:00:00Z"), secret: intakeRotatedSecret)
        #expect(await post(rotated, to: intake.url)?.status == 202)

        var mixed = SignedDelivery(body: loginEvent("ir-2", "rot-2", at: "2026-11-24T10:00:00Z"))
        let good = mixed.signature
        let bad = "v1," + SignedDelivery.mac(secret: "whsec_d3Jvbmcgc2VjcmV0IGZvciB0ZXN0cw==", id: mixed.id, timestamp: mixed.timestamp, body: mixed.body)
        mixed.signature = "v1a,AAAA \(bad) v2,\(good.dropFirst(3)) \(good) v1,notbase64!"
        #expect(await post(mixed, to: intake.url)?.status == 202)
        #expect(try await inputRecords(topics).count == 2)
        try await intake.stop()
    }

    @Test
    func forgedStaleOrIncompleteDeliveriesAre401AndWriteNothing() async throws {
        let topics = TestTopics("intakeforged")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics)
        let event = profileEvent("if-1", "forged-1", at: "2026-11-24T10:00:00Z", fields: #""name":"Mallory""#)
        let now = Int64(Date().timeIntervalSince1970)

        var tampered = SignedDelivery(body: event)
        tampered.body = Array(event.replacingOccurrences(of: "Mallory", with: "Mallorz").utf8)
        let wrongSecret = SignedDelivery(body: event, secret: "whsec_d3Jvbmcgc2VjcmV0IGZvciB0ZXN0cw==")
        let old = SignedDelivery(body: event, timestamp: now - 6 * 60)
        let ahead = SignedDelivery(body: event, timestamp: now + 6 * 60)
        var cases: [(String, SignedDelivery, Set<String>, String)] = [
            ("tampered body", tampered, [], "no_matching_signature"),
            ("wrong secret", wrongSecret, [], "no_matching_signature"),
            ("6 minutes old", old, [], "timestamp_too_old"),
            ("6 minutes ahead", ahead, [], "timestamp_too_new"),
        ]
        for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            cases.append(("without \(header)", SignedDelivery(body: event), [header], "missing_\(header.replacingOccurrences(of: "-", with: "_"))"))
        }
        for (name, delivery, removing, reason) in cases {
            let answer = try #require(await post(delivery, to: intake.url, removing: removing), "\(name): an answer")
            #expect(answer.status == 401, "\(name)")
            #expect(answer.headers["content-type"] == "application/problem+json", "\(name)")
            #expect(!answer.text.contains(intakeSecret.dropFirst(6)), "\(name): the answer says nothing of the secret")
            #expect(!answer.text.contains(SignedDelivery(id: delivery.id, body: delivery.body, timestamp: delivery.timestamp).signature.dropFirst(3)),
                "\(name): nor the expected signature")
            #expect(intake.metrics.contains("contact_sync_intake_signature_failures_total{reason=\"\(reason)\"}"), "\(name): counted as \(reason)")
        }
        #expect(try await inputRecords(topics).isEmpty, "nothing written")
        try await intake.stop()
    }

    @Test
    func sizeTypeAndValidationErrorsWriteNothingAndRedeliveryWritesOnce() async throws {
        let topics = TestTopics("intakeerrors")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics) { $0.maxBodyBytes = 4096 }

        let big = SignedDelivery(body: profileEvent("ie-1", "big-1", at: "2026-11-24T10:00:00Z", fields: #""name":"\#(String(repeating: "x", count: 5000))""#))
        let tooLarge = try #require(await post(big, to: intake.url))
        #expect(tooLarge.status == 413)

        var wrongType = SignedDelivery(body: loginEvent("ie-2", "type-1", at: "2026-11-24T10:00:00Z"))
        wrongType.contentType = "text/plain"
        #expect(await post(wrongType, to: intake.url)?.status == 415)

        let events = [
            loginEvent("ie-3", "ok-1", at: "2026-11-24T10:00:00Z"),
            loginEvent("ie-4", "not valid!", at: "2026-11-24T10:00:00Z"),
            loginEvent("ie-5", "ok-2", at: "2026-11-24T10:00:00Z"),
            #"{"type":"login","event_id":"ie-6","external_id":"ok-3"}"#,
        ]
        let invalid = SignedDelivery(body: #"{"events":["# + events.joined(separator: ",") + "]}")
        let refused = try #require(await post(invalid, to: intake.url))
        #expect(refused.status == 400)
        #expect(refused.headers["content-type"] == "application/problem+json")
        let errors = refused.json["errors"] as? [[String: Any]] ?? []
        #expect(errors.map { $0["index"] as? Int } == [1, 3], "\(refused.text)")
        #expect(errors.map { $0["code"] as? String } == ["invalid_external_id", "missing_field"], "\(refused.text)")
        #expect(refused.json["status"] as? Int == 400)

        let once = SignedDelivery(id: "msg_redelivered", body: loginEvent("ie-7", "again-1", at: "2026-11-24T10:00:00Z"))
        #expect(await post(once, to: intake.url)?.status == 202)
        // A redelivery is signed again, with a new timestamp, but keeps its id.
        let again = SignedDelivery(id: "msg_redelivered", body: once.body, timestamp: once.timestamp + 1)
        let second = try #require(await post(again, to: intake.url))
        #expect(second.status == 202)
        #expect(second.json["duplicate"] as? Bool == true)

        #expect(await httpRequest(intake.url, method: "GET")?.status == 405)
        #expect(await httpRequest(intake.url, method: "GET")?.headers["allow"] == "POST")
        #expect(await httpRequest("http://127.0.0.1:\(intake.port)/metrics", method: "GET")?.status == 404, "nothing else on this listener")

        let records = try await inputRecords(topics)
        #expect(records.count == 1, "only the redelivered event, once")
        #expect(records.first.map { String(decoding: $0.value, as: UTF8.self) } == loginEvent("ie-7", "again-1", at: "2026-11-24T10:00:00Z"))
        try await intake.stop()
    }

    @Test
    func anIndependentSignerIsAccepted() async throws {
        let topics = TestTopics("intakeopenssl")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics)
        let body = loginEvent("io-1", "openssl-1", at: "2026-11-24T10:00:00Z")
        let id = "msg_openssl_1"
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = try opensslSignature(secret: intakeSecret, content: "\(id).\(timestamp).\(body)")
        #expect(signature == SignedDelivery(id: id, body: Array(body.utf8), timestamp: timestamp).signature.dropFirst(3).description,
            "openssl and our HMAC agree")
        let answer = await httpRequest(
            intake.url,
            headers: ["webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": "v1,\(signature)",
                      "Content-Type": "application/json; charset=utf-8"],
            body: Array(body.utf8))
        #expect(answer?.status == 202, "\(answer?.text ?? "no answer")")
        #expect(try await inputRecords(topics).count == 1)
        try await intake.stop()
    }
}

/// base64(HMAC-SHA256) computed by the openssl command line, not by our code.
func opensslSignature(secret: String, content: String) throws -> String {
    let keyHex = try WebhookSecret(parsing: secret).key.map { String(format: "%02x", $0) }.joined()
    let script = "printf '%s' \"$CONTENT\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:\"$KEY\" -binary | openssl base64 -A"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    process.environment = ["CONTENT": content, "KEY": keyHex, "PATH": "/usr/bin:/bin"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Senders that hold the intake's resources: a body that never comes, too many
/// bytes at once, oversized headers. Each is bounded, and the intake keeps serving.
@Suite(.serialized)
struct IntakeOverloadTests {
    @Test
    func slowSendersGet408AndTheInFlightBoundAnswers503() async throws {
        let topics = TestTopics("intakeslow")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics) {
            $0.maxBodyBytes = 1024
            $0.maxInFlightBytes = 2048
            $0.readTimeout = .seconds(2)
        }
        let port = intake.port
        let delivery = SignedDelivery(body: loginEvent("sl-1", "slow-1", at: "2026-11-24T10:00:00Z"))
        let head = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "webhook-id: \(delivery.id)\r\nwebhook-timestamp: \(delivery.timestamp)\r\nwebhook-signature: \(delivery.signature)\r\n"
        // Declares 1,000 bytes, sends 10, then stalls: holds 1,000 of the 2,048 in-flight bytes.
        let stalled = try RawHTTPConnection(port: port)
        stalled.send(head + "Content-Length: 1000\r\n\r\n" + #"{"type":"l"#)
        try await Task.sleep(for: .milliseconds(300))
        // A second stalled sender takes the budget to 2,000; a third does not fit.
        let second = try RawHTTPConnection(port: port)
        second.send(head + "Content-Length: 1000\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        let refused = await post(delivery, to: intake.url)
        #expect(refused?.status == 503, "\(refused?.text ?? "no answer")")
        #expect(refused?.headers["retry-after"] == "1")
        #expect(sumOf("contact_sync_intake_in_flight_bytes", in: intake.metrics) == 2000, "the budget holds both stalled requests")

        let first = try await offPool { stalled.receive(timeout: 5) }
        #expect(RawHTTPConnection.status(of: first) == 408, "\(first)")
        _ = try await offPool { second.receive(timeout: 5) }
        #expect(await eventually(timeout: .seconds(5)) { sumOf("contact_sync_intake_in_flight_bytes", in: intake.metrics) == 0 },
            "the budget is given back")
        #expect(await post(delivery, to: intake.url)?.status == 202, "and the intake serves again")
        try await intake.stop()
    }

    @Test
    func oversizedHeadersAreRefusedAndTheIntakeKeepsServing() async throws {
        let topics = TestTopics("intakeheaders")
        try await topics.create(withClockTopic: false)
        let intake = try await RunningIntake.start(topics: topics)
        // A valid, signed delivery: only the header limit can refuse it.
        let padded = SignedDelivery(body: loginEvent("hd-0", "headers-0", at: "2026-11-24T10:00:00Z"))
        let connection = try RawHTTPConnection(port: intake.port)
        connection.send(
            "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 20_000))\r\n"
                + "Content-Type: application/json\r\nwebhook-id: \(padded.id)\r\nwebhook-timestamp: \(padded.timestamp)\r\n"
                + "webhook-signature: \(padded.signature)\r\nContent-Length: \(padded.body.count)\r\n\r\n"
                + String(decoding: padded.body, as: UTF8.self))
        let answer = try await offPool { connection.receive(timeout: 5) }
        #expect(RawHTTPConnection.status(of: answer) != 202, "refused (an error or a closed connection): \(answer.prefix(200))")
        let delivery = SignedDelivery(body: loginEvent("hd-1", "headers-1", at: "2026-11-24T10:00:00Z"))
        #expect(await post(delivery, to: intake.url)?.status == 202, "the intake keeps serving")
        let records = try await readWholeTopic(topics.login)
        #expect(records.map { String(decoding: $0.value, as: UTF8.self) } == [String(decoding: delivery.body, as: UTF8.self)],
            "only the delivery with ordinary headers was written")
        try await intake.stop()
    }
}
