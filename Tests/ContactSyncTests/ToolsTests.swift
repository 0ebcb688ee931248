import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing
import Workload

/// The platform team's commands (`results watch`, `results trace`,
/// `dead-letters replay`), run as the built binary against Tansu, over a result
/// and dead-letter topic that a real sync of 10,000 events wrote.
@Suite(.serialized)
struct ToolsTests {
    /// One sync run shared by the tests: 10,000 events (bad ones included, some
    /// records with headers), every result published, the service stopped.
    struct Run: Sendable {
        let topics: TestTopics
        let results: [KafkaRecord]
        let deadLetters: [KafkaRecord]
        let badWithHeaders: Int

        /// Environment for the tools (the same settings the service uses).
        var environment: [String: String] {
            [
                "KAFKA_BROKERS": TestBroker.address, "KAFKA_GROUP_ID": topics.group,
                "KAFKA_TOPICS": "\(topics.profile),\(topics.login)", "RESULT_TOPIC": topics.results,
                "DEAD_LETTER_TOPIC": topics.deadLetters,
            ]
        }
    }

    static let shared = Task { try await prepare() }

    static func prepare() async throws -> Run {
        let topics = TestTopics("tools")
        try await topics.create()
        let spec = WorkloadSpec(events: 10_000, customers: 1_000, badRecordShare: 0.02, seed: 1501, idPrefix: "tool\(UInt16.random(in: 0...9999))-")
        let (login, profile) = (topics.login, topics.profile)
        // Bad records carry headers, so that a replay can be checked for them.
        let badWithHeaders = try await offPool {
            let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
            var withHeaders = 0
            for (index, record) in WorkloadGenerator(spec: spec).enumerated() {
                var headers: [RecordHeader] = []
                if record.isBad && index % 2 == 0 {
                    headers = [RecordHeader(name: "traceparent", value: Array("00-\(index)-01".utf8)), RecordHeader(name: "empty", value: nil)]
                    withHeaders += 1
                }
                producer.send(topic: record.topic == .login ? login : profile, key: record.key, value: record.value, headers: headers)
            }
            precondition(producer.flush() == 0)
            return withHeaders
        }
        let sim = try await startSim()
        let service = try RunningService(topics: topics, sim: sim)
        _ = try await readUntilAccounted(topics.results, records: spec.events)
        try await service.stop()
        await sim.stop()
        let results = try await readWholeTopic(topics.results)
        let deadLetters = try await readWholeTopic(topics.deadLetters)
        return Run(topics: topics, results: results, deadLetters: deadLetters, badWithHeaders: badWithHeaders)
    }

    private func tool(_ run: Run, _ arguments: [String]) async throws -> (code: Int32?, output: String) {
        let process = try ServiceProcess(environment: run.environment, arguments: arguments)
        let code = await process.waitForExit(timeout: .seconds(120))
        return (code, process.output)
    }

    @Test
    func traceFindsOneContactsResultsAndOnlyThose() async throws {
        let run = try await Self.shared.value
        // The contact with the most results and dead letters.
        var counts: [String: Int] = [:]
        for record in run.results + run.deadLetters {
            if let id = parseJSON(record.value)["external_id"] as? String { counts[id, default: 0] += 1 }
        }
        let (contact, expected) = try #require(counts.max { $0.value < $1.value })
        #expect(expected >= 2)
        let (code, output) = try await tool(run, ["results", "trace", contact, "--json", "--since", "1h"])
        #expect(code == 0, "\(output)")
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let letterSources = run.deadLetters.filter { parseJSON($0.value)["external_id"] as? String == contact }
            .map { "\($0.partition):\((parseJSON($0.value)["source"] as? [String: Any])?["offset"] ?? "")" }
        #expect(lines.count == expected, "dead letters (dlq partition:source offset) \(letterSources); traced: \(lines.filter { $0.contains("dead_letter") }.map { $0.prefix(200) })")
        let wanted = Set(run.results.filter { parseJSON($0.value)["external_id"] as? String == contact }
            .map { String(decoding: $0.value, as: UTF8.self) })
        let traced = Set(lines.map(String.init).filter { !$0.contains(#""kind":"dead_letter""#) })
        #expect(traced == wanted, "the contact's results, byte for byte; missing: \(wanted.subtracting(traced).map { $0.prefix(300) }); extra: \(traced.subtracting(wanted).map { $0.prefix(300) })")
        for line in lines { #expect(parseJSON(Array(line.utf8))["external_id"] as? String == contact, "only this contact: \(line)") }
        #expect(!output.contains("not keyed"), "the topics are keyed by external_id")

        let (missingCode, _) = try await tool(run, ["results", "trace", "nobody-at-all", "--since", "1h"])
        #expect(missingCode == 3, "nothing found is exit 3")
    }

    @Test
    func replayDryRunCountsMatchTheDeadLetters() async throws {
        let run = try await Self.shared.value
        var byCode: [String: Int] = [:]
        for letter in run.deadLetters {
            byCode[((parseJSON(letter.value)["error"] as? [String: Any])?["code"] as? String) ?? "?", default: 0] += 1
        }
        #expect(!byCode.isEmpty)
        let (code, output) = try await tool(run, ["dead-letters", "replay", "--dry-run"])
        #expect(code == 0, "\(output)")
        #expect(output.contains("dry run: \(run.deadLetters.count) dead letter(s) of \(run.deadLetters.count) read would be replayed"), "\(output)")
        for (errorCode, count) in byCode { #expect(output.contains("  \(errorCode): \(count)\n"), "\(errorCode): \(count) in \(output)") }
        #expect(output.contains("sample:"))
    }

    @Test
    func replayReproducesExactlyTheFilteredRecordsOnceAcrossAnInterruption() async throws {
        let run = try await Self.shared.value
        var byCode: [String: [KafkaRecord]] = [:]
        for letter in run.deadLetters {
            byCode[((parseJSON(letter.value)["error"] as? [String: Any])?["code"] as? String) ?? "?", default: []].append(letter)
        }
        let (chosen, letters) = try #require(byCode.max { $0.value.count < $1.value.count })
        #expect(letters.count >= 4, "\(chosen): \(letters.count)")
        // The input topics' ends before the replay: what comes after is the replay's.
        // Per partition, the offset past the last record before the replay.
        var ends: [TopicPartition: Int64] = [:]
        for record in try await readWholeTopic(run.topics.profile)
            + (try await readWholeTopic(run.topics.login))
        {
            ends[record.topicPartition] = max(ends[record.topicPartition] ?? 0, record.offset + 1)
        }

        // Interrupted after 3 (--limit stands in for Ctrl-C), then run again: each record once.
        let first = try await tool(run, ["dead-letters", "replay", "--code", chosen, "--limit", "3"])
        #expect(first.code == 0, "\(first.output)")
        #expect(first.output.contains("replayed 3 record(s)"), "\(first.output)")
        let second = try await tool(run, ["dead-letters", "replay", "--code", chosen])
        #expect(second.code == 0, "\(second.output)")
        #expect(second.output.contains("replayed \(letters.count - 3) record(s)"), "\(second.output)")
        let third = try await tool(run, ["dead-letters", "replay", "--code", chosen])
        #expect(third.output.contains("replayed 0 record(s)"), "a finished replay replays nothing twice: \(third.output)")

        let profileAfter = try await readWholeTopic(run.topics.profile)
        let loginAfter = try await readWholeTopic(run.topics.login)
        let replayed = (profileAfter + loginAfter).filter { $0.offset >= ends[$0.topicPartition] ?? 0 }
        #expect(replayed.count == letters.count, "exactly the filtered records, once each")
        struct Exact: Hashable {
            var topic: String; var partition: Int32; var key: [UInt8]?; var value: [UInt8]; var headers: [RecordHeader]
            var summary: String { "\(topic)/\(partition) key \(key?.count ?? -1) value \(value.count) \(String(decoding: value.prefix(60), as: UTF8.self)) headers \(headers)" }
        }
        let expected = letters.map { letter -> Exact in
            let json = parseJSON(letter.value)
            let source = json["source"] as? [String: Any] ?? [:]
            let headers = (json["headers"] as? [[String: Any]] ?? []).map {
                RecordHeader(name: $0["name"] as? String ?? "", value: ($0["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) })
            }
            return Exact(
                topic: source["topic"] as? String ?? "", partition: Int32(source["partition"] as? Int ?? -1),
                key: (json["key_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) },
                value: (json["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [],
                headers: headers)
        }
        let got = replayed.map { Exact(topic: $0.topic, partition: $0.partition, key: $0.key, value: $0.value, headers: $0.headers) }
        let gotCounts = Dictionary(grouping: got, by: { $0 }).mapValues(\.count)
        let expectedCounts = Dictionary(grouping: expected, by: { $0 }).mapValues(\.count)
        let same = gotCounts == expectedCounts
        #expect(same,
            "key, value and headers as received, to the source partition; only replayed: \(Set(got).subtracting(expected).prefix(3).map(\.summary)); only expected: \(Set(expected).subtracting(got).prefix(3).map(\.summary))")
        #expect(expected.contains { !$0.headers.isEmpty } || run.badWithHeaders == 0, "some replayed records had headers")
    }

    @Test
    func replayRefusesTruncatedDeadLettersAndListsThem() async throws {
        let run = try await Self.shared.value
        let group = "\(run.topics.group).truncated-check"
        // A dead letter as the service writes one when the record did not fit: truncated.
        let truncated = #"{"schema":"contact-sync.dead-letter.v1","source":{"topic":"\#(run.topics.login)","partition":0,"offset":999999},"key_base64":"a2V5","value_base64":"eyJ0eXBl","truncated":true,"key_size":3,"key_sha256":"2c70e12b7a0646f92279f427c7b38e7334d8e5389cff167a1dc30e73f826b683","value_size":2000000,"value_sha256":"0000000000000000000000000000000000000000000000000000000000000000","error":{"code":"value_too_large","message":"the value is 2000000 bytes; the limit is 1048576"},"decided_at":"2026-12-01T10:00:00.000Z","external_id":null,"event_ids":[],"headers":[]}"#
        try await produce(run.topics.deadLetters, [(key: "key", value: truncated)])
        let (code, output) = try await tool(run, ["dead-letters", "replay", "--code", "value_too_large", "--group", group])
        #expect(code == 3, "\(output)")
        #expect(output.contains("refused 1:"), "\(output)")
        #expect(output.contains("\(run.topics.login)/0/999999 (value_too_large): truncated"), "\(output)")
    }

    @Test
    func watchJSONReportsTheStatusesTheRunProduced() async throws {
        let run = try await Self.shared.value
        var statuses: [String: Int] = [:]
        for result in run.results { statuses[parseJSON(result.value)["status"] as? String ?? "?", default: 0] += 1 }
        let (code, output) = try await tool(run, ["results", "watch", "--from", "1h", "--interval", "3", "--duration", "4", "--json"])
        #expect(code == 0, "\(output)")
        let reports = output.split(separator: "\n").filter { $0.hasPrefix("{") }.map { parseJSON(Array($0.utf8)) }
        let first = try #require(reports.first, "\(output)")
        let counted = first["results"] as? [String: Int] ?? [:]
        for (status, count) in statuses { #expect(counted[status] == count, "\(status): \(counted) against \(statuses)") }
        // The group's lag as the broker says it (a replay in another test may have added records since).
        var ends: [TopicPartition: Int64] = [:]
        for record in try await readWholeTopic(run.topics.profile)
            + (try await readWholeTopic(run.topics.login))
        {
            ends[record.topicPartition] = max(ends[record.topicPartition] ?? 0, record.offset + 1)
        }
        var behind: Int64 = 0
        for (partition, end) in ends { behind += end - (await committedOffset(group: run.topics.group, partition) ?? 0) }
        let lag = first["lag"] as? [String: Any]
        #expect((lag?["total"] as? Int).map(Int64.init) == behind, "\(first)")
    }
}
