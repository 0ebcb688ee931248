import BookbagSim
import ContactSync
import Foundation
import LoopbackHTTP
import Testing

/// What the platform team runs and watches: `check`, the ops endpoint, signals.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct OpsTests {
    @Test func checkReportsEachSideAndFailsWithAReason() async throws {
        let topics = TestTopics("check")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let env = serviceEnvironment(topics: topics, simURL: sim.baseURL, opsPort: freePort(), extra: ["BOOKBAG_API_KEY": testKey])

            let good = try ServiceProcess(environment: env, arguments: ["check"])
            #expect(await good.waitForExit() == 0, "\(good.output)")
            #expect(good.output.contains("ok    Kafka reachable"))
            #expect(good.output.contains("ok    topic \(topics.results)"))
            #expect(good.output.contains("ok    Bookbag key and chatbot 123 work"))

            var missingTopic = env
            missingTopic["RESULT_TOPIC"] = "\(topics.prefix).no-such-topic"
            let noTopic = try ServiceProcess(environment: missingTopic, arguments: ["check"])
            #expect(await noTopic.waitForExit() == 1)
            #expect(noTopic.output.contains("FAIL  topic \(topics.prefix).no-such-topic does not exist"))

            var wrongKey = env
            wrongKey["BOOKBAG_API_KEY"] = "oc_not_the_key_at_all_123456"
            let badKey = try ServiceProcess(environment: wrongKey, arguments: ["check"])
            #expect(await badKey.waitForExit() == 1)
            #expect(badKey.output.contains("FAIL  Bookbag answered HTTP 401"))
            #expect(!badKey.output.contains("oc_not_the_key_at_all_123456"))
        }
    }

    @Test func opsEndpointServesHealthReadinessAndMetricsOnly() async throws {
        let topics = TestTopics("ops")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            try await produce(topics.login, [("o-1", loginEvent("o1", "o-1", at: "2026-11-24T10:00:00Z"))])
            let port = freePort()
            let service = try ServiceProcess(environment: serviceEnvironment(
                topics: topics, simURL: sim.baseURL, opsPort: port, extra: ["BOOKBAG_API_KEY": testKey, "LOG_FORMAT": "json"]))
            #expect(await eventually { await httpGet("http://127.0.0.1:\(port)/healthz")?.0 == 200 })
            #expect(await eventually { await httpGet("http://127.0.0.1:\(port)/readyz")?.0 == 200 }, "ready once in the group")
            _ = try await readRecords(topics.results, atLeast: 1)
            let metrics = try #require(await httpGet("http://127.0.0.1:\(port)/metrics"))
            for name in [
                "contact_sync_consumer_lag", "contact_sync_records_consumed_total", "contact_sync_results_total",
                "contact_sync_bookbag_requests_total", "contact_sync_bookbag_request_duration_seconds_bucket",
                "contact_sync_bookbag_in_flight_limit", "contact_sync_batch_records_bucket",
                "contact_sync_bookbag_users_per_request_bucket", "contact_sync_events_folded_per_contact_bucket",
                "contact_sync_event_to_result_seconds_bucket", "contact_sync_librdkafka_info",
            ] {
                #expect(metrics.1.contains(name), "missing metric \(name)")
            }
            #expect(metrics.1.contains(#"contact_sync_results_total{status="synced"} 1"#))

            // FoundationEssentials only: libFoundation with ICU would add about 9 MB to every run's RSS.
            // Read to the end: /proc files report size 0, and a sized read stops early.
            let mapsFile = FileHandle(forReadingAtPath: "/proc/\(service.process.pid)/maps")
            let maps = String(decoding: mapsFile?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            #expect(maps.contains("libFoundationEssentials.so"), "the process's mappings were read")
            #expect(!maps.contains("libFoundation.so") && !maps.contains("FoundationICU"), "the service loads full Foundation")

            // Nothing on the ops port changes state.
            let post = try await LoopbackHTTP.send("POST", "http://127.0.0.1:\(port)/metrics")
            #expect(post.status != 200)

            service.signal(SIGTERM)
            #expect(await service.waitForExit() == 0)
            // JSON logs: one object per line, and a line per batch.
            let lines = service.output.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
            #expect(lines.contains { $0.contains("batch done") })
        }
    }
}
