import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// A revoke waits for the records the pipeline already holds: they are decided,
/// their results (and clocks) acknowledged and their offsets committed before
/// the partitions go. Before, those offsets were left uncommitted, so the
/// records were decided again by the next owner (here: by the service itself
/// once the partitions came back), and an old owner's request could land in
/// Bookbag after the new owner's newer one.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RevokeDrainTests {
    static let events = 200

    @Test func recordsInFlightAtARevokeAreDecidedOnce() async throws {
        let topics = TestTopics("revoke-drain")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            // Slow Bookbag: batches are in flight when the rebalance comes.
            sim.state.setFaults(SimFaults(latencyMilliseconds: 1_500))

            let values = (0..<Self.events).map { index in
                (key: Optional("user-\(index)"), value: loginEvent("rd-\(index)", "user-\(index)", at: "2026-11-24T10:00:00.000Z"))
            }
            try await produce(topics.login, values)

            let service = try RunningService(topics: topics, sim: sim) {
                $0.batching.maxEvents = 20
            }
            #expect(await eventually { sim.state.stats().upsertRequests > 0 }, "upserts are in flight")

            let intruder = try KafkaConsumer(
                settings: KafkaConsumerSettings(
                    properties: KafkaProperties.consumer(RebalanceWhilePausedTests.kafka(topics, strategy: "range,roundrobin")),
                    topics: [topics.profile, topics.login], batchMinEvents: 10, batchMaxEvents: 10, batchMaxWait: .milliseconds(100),
                    maxReadyBatches: 1, maxOutstandingRecords: 1_000),
                logger: .init(label: "intruder"), metrics: ServiceMetrics(), broker: BrokerReachability(reachable: true))
            try intruder.start()
            #expect(await eventually { !intruder.assignment.isEmpty }, "the intruder got partitions")
            // It reads (and never commits), then leaves: the partitions come back.
            try await Task.sleep(for: .seconds(2))
            await intruder.close()

            sim.state.setFaults(.none)
            let results = try await readUntilAccounted(topics.results, records: Self.events, timeout: .seconds(90))
            var decisions: [String: Int] = [:]
            for result in results {
                for (topic, partition, offset) in result.sources { decisions["\(topic)/\(partition)/\(offset)", default: 0] += 1 }
            }
            let twice = decisions.filter { $0.value > 1 }
            print("revoke-drain: \(decisions.count) records decided, \(twice.count) of them more than once")
            #expect(decisions.count == Self.events)
            #expect(twice.isEmpty, "decided more than once: \(twice.keys.sorted().prefix(5))")
            try await service.stop()
        }
    }
}
