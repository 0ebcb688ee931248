import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// contact-sync against the Tansu broker and bookbag-sim, over real sockets.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EndToEndTests {
    @Test func foldsEventsForOneContactIntoOneUpsertWithTheLatestValues() async throws {
        let topics = TestTopics("fold")
        try await topics.create()
        try await withBookbagSim { sim in

            // Out of order on purpose: arrival order is not occurred_at order.
            try await produce(topics.profile, [
                ("u-fold", profileEvent("e1", "u-fold", at: "2026-11-24T10:00:00Z", fields: #""email":"old@example.com","name":"Old","custom_attributes":{"plan":"free","orders":1}"#)),
                ("u-fold", profileEvent("e2", "u-fold", at: "2026-11-24T12:00:00Z", fields: #""email":"new@example.com","custom_attributes":{"plan":"pro"}"#)),
                ("u-fold", profileEvent("e3", "u-fold", at: "2026-11-24T11:00:00Z", fields: #""email":"middle@example.com","name":null,"custom_attributes":{"plan":"team","orders":3}"#)),
                ("u-fold", profileEvent("e4", "u-fold", at: "2026-11-24T09:00:00+05:30", fields: #""phone":"+15550001""#)),
            ])
            try await produce(topics.login, [
                ("u-fold", loginEvent("l1", "u-fold", at: "2026-11-24T13:00:00.250Z")),
                ("u-fold", loginEvent("l2", "u-fold", at: "2026-11-24T08:00:00Z")),
            ])
            let service = try RunningService(topics: topics, sim: sim) { $0.batching.maxWait = .seconds(2) }

            // Wait for more than the one result expected, so that an extra one would show.
            let results = try await readRecords(topics.results, atLeast: 2, timeout: .seconds(15)).map { ResultView(json: parseJSON($0.value)) }
            try await service.stop()

            #expect(results.count == 1, "\(results.map(\.raw))")
            let result = try #require(results.first)
            #expect(result.externalID == "u-fold")
            #expect(result.status == "synced")
            #expect(Set(result.eventIDs) == ["e1", "e2", "e3", "e4", "l1", "l2"])
            #expect(sim.state.upsertLog(for: "u-fold").count == 1, "six events, one user in one upsert")

            let contact = try #require(sim.state.contact("u-fold"))
            #expect(contact.email == "new@example.com")
            #expect(contact.name == nil, "the null at 11:00 is newer than the name at 10:00")
            #expect(contact.phonenumber == "+15550001")
            #expect(contact.customAttributes["plan"] == .string("pro"))
            #expect(contact.customAttributes["orders"] == .number(3))
            #expect(contact.customAttributes["last_login_at"] == .string("2026-11-24T13:00:00.250Z"))

            // Each attribute was defined before the upsert that carried it: the sim
            // refuses undefined ones with 422, and none was seen.
            let stats = sim.state.stats()
            #expect(stats.byRouteStatus.keys.filter { $0.contains("422") }.isEmpty)
            let types = Dictionary(uniqueKeysWithValues: sim.state.attributes().map { ($0.name, $0.type.rawValue) })
            #expect(types["plan"] == "text")
            #expect(types["orders"] == "number")
            #expect(types["last_login_at"] == "date")
        }
    }

    @Test func badRecordsAreRejectedWithDeadLettersAndTheRecordsAfterThemStillSync() async throws {
        let topics = TestTopics("bad")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let good1 = profileEvent("g1", "u-good", at: "2026-11-24T10:00:00Z", fields: #""email":"a@example.com""#)
            let good2 = profileEvent("g2", "u-good-2", at: "2026-11-24T10:00:01Z", fields: #""name":"Bea""#)
            try await produce(topics.profile, [
                ("x", good1),
                ("x", #"{"type":"profile_changed","event_id":"b1","#),  // malformed JSON
                ("x", profileEvent("b2", "bad id", at: "2026-11-24T10:00:00Z", fields: "")),  // invalid external_id
                ("x", #"{"type":"login","event_id":"b3","occurred_at":12345,"external_id":"u-typed"}"#),  // wrong type
                ("x", good2),
            ])
            let service = try RunningService(topics: topics, sim: sim)
            let resultRecords = try await readRecords(topics.results, atLeast: 5)
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: 3)
            try await service.stop()

            let results = resultRecords.map { ResultView(json: parseJSON($0.value)) }
            #expect(results.count == 5)
            let rejected = results.filter { $0.status == "rejected" }
            #expect(Set(rejected.compactMap(\.errorCode)) == ["malformed_json", "invalid_external_id", "wrong_type"])
            #expect(Set(results.filter { $0.status == "synced" }.compactMap(\.externalID)) == ["u-good", "u-good-2"])
            #expect(sim.state.contact("u-good-2")?.name == "Bea", "the record after the bad ones is synced")

            // Every input event_id (or, for the unreadable one, its offset) is in a result.
            let reported = Set(results.flatMap(\.eventIDs))
            #expect(reported.isSuperset(of: ["g1", "g2", "b2", "b3"]))
            let malformed = try #require(rejected.first { $0.errorCode == "malformed_json" })
            #expect(malformed.sources.first?.2 == 1, "the unreadable record is named by its offset")

            #expect(deadLetters.count == 3)
            let letters = deadLetters.map { parseJSON($0.value) }
            let originals = Set(letters.compactMap { ($0["value_base64"] as? String).flatMap { Data(base64Encoded: $0) } }.map { String(decoding: $0, as: UTF8.self) })
            #expect(originals.contains(#"{"type":"profile_changed","event_id":"b1","#))

            try SchemaCheck.validate(resultRecords, against: "result")
            try SchemaCheck.validate(deadLetters, against: "dead-letter")
        }
    }

    @Test func unchangedUpdatesAreNotSentAndARestartContinuesAfterTheLastCommit() async throws {
        let topics = TestTopics("restart")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in

            let first = try RunningService(topics: topics, sim: sim) { $0.batching.maxWait = .milliseconds(50) }
            try await produce(topics.profile, [("u-r", profileEvent("r1", "u-r", at: "2026-11-24T10:00:00Z", fields: #""email":"r@example.com""#))])
            _ = try await readRecords(topics.results, atLeast: 1)
            // Same value, newer event: nothing to send.
            try await produce(topics.profile, [("u-r", profileEvent("r2", "u-r", at: "2026-11-24T10:05:00Z", fields: #""email":"r@example.com""#))])
            let twoResults = try await readRecords(topics.results, atLeast: 2).map { ResultView(json: parseJSON($0.value)) }
            #expect(twoResults.map(\.status) == ["synced", "unchanged"])
            #expect(sim.state.upsertLog(for: "u-r").count == 1, "the unchanged update made no call")

            // Both records have acknowledged results, so both offsets get committed.
            let partition = TopicPartition(topic: topics.profile, partition: 0)
            #expect(await eventually {
                await committedOffset(group: topics.group, partition) == 2
            })
            try await first.stop()

            try await produce(topics.profile, [("u-r", profileEvent("r3", "u-r", at: "2026-11-24T10:10:00Z", fields: #""email":"r3@example.com""#))])
            let second = try RunningService(topics: topics, sim: sim) { $0.batching.maxWait = .milliseconds(50) }
            let all = try await readRecords(topics.results, atLeast: 3).map { ResultView(json: parseJSON($0.value)) }
            try? await Task.sleep(for: .seconds(1))
            let settled = try await readRecords(topics.results, atLeast: 4, timeout: .seconds(12)).map { ResultView(json: parseJSON($0.value)) }
            try await second.stop()

            #expect(all.count == 3)
            #expect(settled.count == 3, "the restarted service did not re-read what was committed")
            #expect(all.last?.eventIDs == ["r3"])
            #expect(all.last?.status == "synced")
            #expect(sim.state.contact("u-r")?.email == "r3@example.com")
        }
    }

    @Test func offsetsAreCommittedOnlyAfterTheResultsAreAcknowledged() async throws {
        let topics = TestTopics("commit")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            var slow = sim.state.faults()
            slow.latencyMilliseconds = 3000
            sim.state.setFaults(slow)

            let service = try RunningService(topics: topics, sim: sim) { $0.batching.maxWait = .milliseconds(50) }
            try await produce(topics.profile, [("u-c", profileEvent("c1", "u-c", at: "2026-11-24T10:00:00Z", fields: #""email":"c@example.com""#))])
            let partition = TopicPartition(topic: topics.profile, partition: 0)
            func committed() async -> Int64? { await committedOffset(group: topics.group, partition) }
            // The upsert is in flight (Bookbag is slow): the record has no result yet, so no commit.
            #expect(await eventually { sim.state.stats().inFlight > 0 })
            try? await Task.sleep(for: .milliseconds(1500))
            #expect((await committed() ?? -1) < 1, "nothing may be committed before the result exists")
            let results = try await readRecords(topics.results, atLeast: 1)
            #expect(results.count == 1)
            #expect(await eventually { await committed() == 1 })
            try await service.stop()
        }
    }
}

/// Checks records against `schemas/` with scripts/check-schemas.py.
enum SchemaCheck {
    static func validate(_ records: [KafkaRecord], against schema: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString).jsonl")
        var lines = Data()
        for record in records {
            lines.append(contentsOf: record.value)
            lines.append(0x0A)
        }
        try lines.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let outputFile = file.path + ".out"
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        let process = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["python3", root.appendingPathComponent("scripts/check-schemas.py").path, "records", schema, file.path],
            outputPath: outputFile)
        let status = process.waitForExit(timeout: .seconds(120))
        let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        #expect(status == 0, "schema check of \(schema) records failed:\n\(text)")
    }
}
