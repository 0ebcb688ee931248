import Foundation
import Testing

/// Kubernetes gives every pod `KAFKA_PORT=tcp://…` and friends when a Service
/// named `kafka` exists; they are not librdkafka properties and must not stop the start.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ServiceLinkTests {
    @Test func kubernetesServiceLinksAreIgnoredWithOneLogLine() async throws {
        let topics = TestTopics("service-links")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let opsPort = freePort()
            let links = ConfigurationHardeningTests.serviceLinks
            let service = try ServiceProcess(environment: serviceEnvironment(
                topics: topics, simURL: sim.baseURL, opsPort: opsPort, extra: links.merging(["BOOKBAG_API_KEY": testKey]) { $1 }))
            try await produce(topics.profile, [("k-1", profileEvent("k1", "k-1", at: "2026-11-24T10:00:00Z", fields: #""name":"K""#))])
            let results = try await readRecords(topics.results, atLeast: 1, timeout: .seconds(30))
            service.signal(SIGTERM)
            #expect(await service.waitForExit() == 0)
            #expect(results.count == 1, "the service started and synced: \(service.output.suffix(600))")
            let notice = service.output.split(separator: "\n").filter { $0.contains("service link") }
            #expect(notice.count == 1, "one log line names them")
            for name in links.keys {
                #expect(notice.first?.contains(name) == true, "\(name) is named")
            }
        }
    }
}
