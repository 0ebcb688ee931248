import BookbagSim
import ContactSync
import Foundation
import Testing
import Workload

/// A realistic burst of store traffic, end to end, checked against the oracle.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct WorkloadSyncTests {
    @Test func everyEventHasAResultAndBookbagEndsWithTheLatestValues() async throws {
        let topics = TestTopics("workload")
        try await topics.create()
        try await withBookbagSim { sim in
            let spec = WorkloadSpec(
                events: 4_000, customers: 600, badRecordShare: 0.01, outOfOrderShare: 0.1, seed: 7, idPrefix: "w\(UInt16.random(in: 0...9999))-")
            let traffic = try await ProducedTraffic.produce(spec, into: topics)

            let service = try RunningService(topics: topics, sim: sim)
            let results = try await readUntilAccounted(topics.results, records: traffic.records.count)
            let deadLetters = try await readRecords(topics.deadLetters, atLeast: traffic.badCount, timeout: .seconds(30))
            try await service.stop()

            let reported = Set(results.flatMap(\.eventIDs))
            let missing = traffic.goodEventIDs.subtracting(reported)
            #expect(missing.isEmpty, "event_ids without a result: \(missing.prefix(5))")
            #expect(results.filter { $0.status == "failed" }.isEmpty)
            #expect(results.filter { $0.status == "rejected" }.count == traffic.badCount)
            #expect(deadLetters.count == traffic.badCount)
            let problems = mismatches(traffic.expected.contacts, in: sim.state)
            #expect(problems.isEmpty, "\(problems.count) contacts differ, e.g. \(problems.prefix(3))")

            let stats = sim.state.stats()
            let usersPerRequest = Double(stats.usersReceived) / Double(max(stats.upsertRequests, 1))
            #expect(stats.maxUsersPerRequest <= 100, "UPSERT_MAX_USERS holds")
            #expect(usersPerRequest > 20, "requests are batched (\(usersPerRequest) users per request)")
        }
    }
}
