import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Prometheus
import Testing

/// `contact_sync_consumer_lag` follows the assignment: a series for every
/// assigned partition from the moment it is assigned (0 included), and none
/// for a partition the service no longer holds.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LagSeriesTests {
    @Test func lagSeriesFollowTheAssignmentThroughARebalance() async throws {
        let topics = TestTopics("lag-series")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            try await produce(topics.login, (0..<40).map { index in
                (key: Optional("user-\(index)"), value: loginEvent("ls-\(index)", "user-\(index)", at: "2026-11-24T10:00:00.000Z"))
            })

            let service = try RunningService(topics: topics, sim: sim)
            let consumer = service.services.sync.consumer
            let lagged = { Self.partitionsWithLag(service.registry, topics: topics) }
            #expect(await eventually { consumer.assignment.count == 4 && lagged() == Set(consumer.assignment) },
                    "a lag series for each of the 4 assigned partitions: \(lagged())")

            // A second member takes some partitions: their series go, the rest stay.
            let intruder = try KafkaConsumer(
                settings: KafkaConsumerSettings(
                    properties: KafkaProperties.consumer(RebalanceWhilePausedTests.kafka(topics, strategy: "range,roundrobin")),
                    topics: [topics.profile, topics.login], batchMinEvents: 10, batchMaxEvents: 10, batchMaxWait: .milliseconds(100),
                    maxReadyBatches: 1, maxOutstandingRecords: 10),
                logger: .init(label: "intruder"), metrics: ServiceMetrics(), broker: BrokerReachability(reachable: true))
            try intruder.start()
            #expect(await eventually { !intruder.assignment.isEmpty && consumer.assignment.count < 4 }, "the group rebalanced")
            #expect(await eventually(timeout: .seconds(10)) { lagged() == Set(consumer.assignment) },
                    "only the partitions still held have a lag series: \(lagged()) vs \(consumer.assignment)")
            await intruder.close()
            #expect(await eventually { consumer.assignment.count == 4 && lagged() == Set(consumer.assignment) },
                    "the series come back with the partitions")
            try await service.stop()
        }
    }

    /// Partitions of this test's topics that have a `contact_sync_consumer_lag` series.
    static func partitionsWithLag(_ registry: PrometheusCollectorRegistry, topics: TestTopics) -> Set<TopicPartition> {
        var found = Set<TopicPartition>()
        for line in registry.emitToString().split(separator: "\n") where line.hasPrefix("contact_sync_consumer_lag{") {
            guard let topic = label("topic", in: line), topics.all.contains(topic),
                let partition = label("partition", in: line).flatMap(Int32.init)
            else { continue }
            found.insert(TopicPartition(topic: topic, partition: partition))
        }
        return found
    }

    static func label(_ name: String, in line: Substring) -> String? {
        guard let start = line.range(of: "\(name)=\"") else { return nil }
        let rest = line[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
