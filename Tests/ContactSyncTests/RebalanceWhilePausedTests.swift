import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// Backpressure pauses the partitions, a rebalance revokes them and hands them
/// back: processing must resume. librdkafka keeps a partition's pause flag
/// across unassign and assign, while the service forgets the revoked
/// partitions; before the fix the returned partitions stayed paused for good.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RebalanceWhilePausedTests {
    static let events = 120

    @Test(arguments: ["range,roundrobin", "cooperative-sticky"])
    func pausedPartitionsThatComeBackAreFetchedAgain(assignmentStrategy: String) async throws {
        let topics = TestTopics("pause-rebalance")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            // Bookbag down: results wait, outstanding records pile up, fetching pauses.
            var outage = SimFaults.none
            outage.failStatus = 503
            sim.state.setFaults(outage)

            let values = (0..<Self.events).map { index in
                (key: Optional("user-\(index)"), value: loginEvent("pr-\(index)", "user-\(index)", at: "2026-11-24T10:00:00.000Z"))
            }
            try await produce(topics.login, values)

            let service = try RunningService(topics: topics, sim: sim) {
                $0.batching.maxEvents = 10
                $0.batching.maxOutstandingRecords = 10
                $0.kafka.passthrough["partition.assignment.strategy"] = assignmentStrategy
            }
            let consumer = service.services.sync.consumer
            // Two topics of two partitions each.
            #expect(await eventually { consumer.pausedPartitions.count == 4 }, "backpressure pauses every partition")

            // A second member joins the group and takes a partition, then leaves:
            // the service's partitions are revoked and assigned back while paused.
            let intruder = try KafkaConsumer(
                settings: KafkaConsumerSettings(
                    properties: KafkaProperties.consumer(Self.kafka(topics, strategy: assignmentStrategy)),
                    topics: [topics.profile, topics.login], batchMinEvents: 10, batchMaxEvents: 10, batchMaxWait: .milliseconds(100),
                    maxReadyBatches: 1, maxOutstandingRecords: 10),
                logger: .init(label: "intruder"), metrics: ServiceMetrics(), broker: BrokerReachability(reachable: true))
            try intruder.start()
            #expect(await eventually { !intruder.assignment.isEmpty && consumer.assignment.count < 4 }, "the group rebalanced")
            await intruder.close()
            #expect(await eventually { consumer.assignment.count == 4 }, "every partition came back")

            sim.state.setFaults(.none)
            let results = try await readUntilAccounted(topics.results, records: Self.events, timeout: .seconds(60))
            let accounted = Set(results.flatMap(\.eventIDs))
            print("pause-rebalance (\(assignmentStrategy)): \(accounted.count) of \(Self.events) events have a result")
            #expect(accounted.count == Self.events, "every event gets a result after the partitions come back")
            try await service.stop()
        }
    }

    static func kafka(_ topics: TestTopics, strategy: String) -> ContactSyncConfiguration.Kafka {
        var kafka = ContactSyncConfiguration.Kafka()
        kafka.brokers = TestBroker.address
        kafka.groupID = topics.group
        kafka.topics = [topics.profile, topics.login]
        kafka.passthrough = ["session.timeout.ms": "6000", "partition.assignment.strategy": strategy]
        return kafka
    }
}
