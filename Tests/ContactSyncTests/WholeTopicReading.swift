@testable import ContactSync
import ContactSyncCore
import Foundation

/// Every record a topic holds now, read outside any group to each partition's
/// end: exact and without waiting for a group join or a quiet period.
func readWholeTopic(_ topic: String, brokers: String = TestBroker.address) async throws -> [KafkaRecord] {
    try await offPool {
        var kafka = ContactSyncConfiguration.Kafka()
        kafka.brokers = brokers
        let reader = try PartitionReader(kafka: kafka, clientID: "test-read")
        defer { reader.close() }
        let partitions = try reader.partitions(of: topic)
        let bounds = try reader.bounds(partitions, since: Timestamp(nanosecondsSinceEpoch: 0)).filter { $0.start < $0.end }
        guard !bounds.isEmpty else { return [] }
        try reader.assign(bounds.map { ($0.partition, $0.start) })
        var open = Set(bounds.map(\.partition.partition))
        var records: [KafkaRecord] = []
        var idle = 0
        while !open.isEmpty && idle < 40 {
            switch try reader.read(timeoutMs: 250) {
            case .record(let record):
                records.append(record)
                idle = 0
            case .end(let partition):
                open.remove(partition)
            case .nothing:
                idle += 1
            }
        }
        return records
    }
}
