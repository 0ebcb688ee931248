@testable import ContactSync
import ContactSyncCore
import Testing

/// What a revoke waits for: the records already handed to the pipeline, and
/// nothing queued behind them (those are dropped for the next owner).
@Suite struct RevokeDrainStateTests {
    let p0 = TopicPartition(topic: "t", partition: 0)
    let p1 = TopicPartition(topic: "t", partition: 1)

    func record(_ partition: Int32, _ offset: Int64) -> KafkaRecord {
        KafkaRecord(topic: "t", partition: partition, offset: offset, key: nil, value: [], consumedAtNanos: 0)
    }

    /// Registers and delivers one batch of these (partition, offset) records.
    func deliver(_ offsets: [(Int32, Int64)], into state: inout ConsumerStateMachine) -> [OffsetTracker.Ticket] {
        var batch = RecordBatch(records: [], tickets: [])
        for (partition, offset) in offsets {
            let record = record(partition, offset)
            guard let ticket = state.register(record) else { continue }
            batch.records.append(record)
            batch.tickets.append(ticket)
        }
        _ = state.deliver(batch, closing: .full)
        return batch.tickets
    }

    @Test func aRevokeWaitsForHandedOutRecordsAndDropsQueuedOnes() {
        var state = ConsumerStateMachine(maxReadyBatches: 4, maxOutstandingRecords: 1000)
        state.assigned([p0, p1])
        let handed = deliver([(0, 10), (1, 5), (0, 11)], into: &state)
        guard case .batch(let taken) = state.next() else {
            Issue.record("the first batch is handed out")
            return
        }
        #expect(taken.records.count == 3)
        _ = deliver([(0, 12), (1, 6)], into: &state)  // queued, not handed out

        let targets = state.beginRevoke([p0])
        #expect(targets == [p0: 11], "waits for offset 11 of partition 0, the last handed out")
        #expect(!state.isDecided(through: targets))
        guard case .batch(let left) = state.next() else {
            Issue.record("the queued batch keeps its partition-1 record")
            return
        }
        #expect(left.records.map(\.offset) == [6], "the queued partition-0 record is dropped")

        let handedFromP0 = handed.filter { state.tracker.partition(of: $0) == p0 }
        state.complete(handedFromP0.filter { $0.offset == 10 })
        #expect(!state.isDecided(through: targets))
        state.complete(handedFromP0)
        #expect(state.isDecided(through: targets))
        let committable = state.revoked([p0])
        #expect(committable.map(\.1) == [12], "everything handed out is committed on revoke")
    }

    @Test func aBatchFilledAcrossARevokeLosesTheRevokedPartitionsRecords() {
        var state = ConsumerStateMachine(maxReadyBatches: 4, maxOutstandingRecords: 1000)
        state.assigned([p0, p1])
        // The poll thread registered these into the batch it is filling, then the revoke came.
        var filling = RecordBatch(records: [], tickets: [])
        for (partition, offset) in [(Int32(0), Int64(1)), (1, 1)] {
            let record = record(partition, offset)
            filling.records.append(record)
            filling.tickets.append(state.register(record)!)
        }
        #expect(state.beginRevoke([p0]).isEmpty, "nothing was handed out yet")
        _ = state.revoked([p0])
        _ = state.deliver(filling, closing: .full)
        guard case .batch(let delivered) = state.next() else {
            Issue.record("the partition-1 record is delivered")
            return
        }
        #expect(delivered.records.map(\.partition) == [1])
    }

    @Test func eachAssignmentIsANewEpochCarriedByTheBatches() {
        var state = ConsumerStateMachine(maxReadyBatches: 4, maxOutstandingRecords: 1000)
        state.assigned([p0])
        _ = deliver([(0, 1)], into: &state)
        state.assigned([p1])
        _ = deliver([(1, 1)], into: &state)
        guard case .batch(let first) = state.next(), case .batch(let second) = state.next() else {
            Issue.record("two batches")
            return
        }
        #expect(first.assignmentEpoch == 1 && second.assignmentEpoch == 2)
    }

    @Test func aClosingConsumerDoesNotWait() {
        var state = ConsumerStateMachine(maxReadyBatches: 4, maxOutstandingRecords: 1000)
        state.assigned([p0])
        _ = deliver([(0, 1)], into: &state)
        _ = state.next()
        _ = state.beginClosing()
        #expect(state.beginRevoke([p0]).isEmpty)
    }
}
