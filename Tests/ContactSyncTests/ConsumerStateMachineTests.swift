@testable import ContactSync
import ContactSyncCore
import Testing

/// The consumer's backpressure decisions, without a broker: hold off polling
/// through a short stall, pause only a long one, resume when it clears.
@Suite struct ConsumerStateMachineTests {
    let partitions = [TopicPartition(topic: "t", partition: 0), TopicPartition(topic: "t", partition: 1)]
    let second: UInt64 = 1_000_000_000

    func machine(maxOutstanding: Int = 100) -> ConsumerStateMachine {
        var machine = ConsumerStateMachine(maxReadyBatches: 2, maxOutstandingRecords: maxOutstanding, holdBeforePausingNanos: second)
        machine.assigned(partitions)
        return machine
    }

    func record(_ partition: Int32, _ offset: Int64) -> KafkaRecord {
        KafkaRecord(topic: "t", partition: partition, offset: offset, key: nil, value: [], consumedAtNanos: 0)
    }

    @Test func reportsEachAssignmentChangeOnceForTheLagMetric() {
        var state = machine()
        let first = state.takeAssignmentChanges()
        #expect(Set(first.assigned) == Set(partitions) && first.revoked.isEmpty)
        #expect(state.takeAssignmentChanges() == ([], []) as ([TopicPartition], [TopicPartition]), "taken once")
        _ = state.revoked([partitions[1]])
        let second = state.takeAssignmentChanges()
        #expect(second.assigned.isEmpty && second.revoked == [partitions[1]])
        // Revoked and assigned back before the poll thread looked: it is assigned, not revoked.
        _ = state.revoked([partitions[0]])
        state.assigned([partitions[0]])
        let third = state.takeAssignmentChanges()
        #expect(third.assigned == [partitions[0]] && third.revoked.isEmpty)
    }

    @Test func batchesGrowWhileThePipelineIsBusyAndShrinkWhenItWaitsOnAQuietStream() async {
        var state = ConsumerStateMachine(
            maxReadyBatches: 2, maxOutstandingRecords: 100_000, batchSize: AdaptiveBatchSize(minimum: 500, maximum: 5_000))
        state.assigned(partitions)
        // Nobody waits for these: the pipeline is busy, so a full batch means a backlog.
        _ = state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full)
        _ = state.deliver(RecordBatch(records: [record(0, 1)], tickets: []), closing: .full)
        #expect(state.batchSize.target == 2_000)
        #expect(!state.isAtBatchCeiling, "a backlog below the ceiling holds nothing back yet")
        _ = state.deliver(RecordBatch(records: [record(0, 2)], tickets: []), closing: .full)
        _ = state.deliver(RecordBatch(records: [record(0, 3)], tickets: []), closing: .full)
        #expect(state.batchSize.target == 5_000 && state.isAtBatchCeiling)
        for _ in 0..<4 { _ = state.takeBatch() }
        // The pipeline waits, and batches close on their deadline: the stream is quiet.
        _ = await handOverWhileWaiting(&state, offset: 4, closing: .deadline)
        #expect(state.batchSize.target == 2_500 && !state.isAtBatchCeiling, "a quiet stream leaves the ceiling at once")
        _ = await handOverWhileWaiting(&state, offset: 5, closing: .deadline)
        _ = await handOverWhileWaiting(&state, offset: 6, closing: .deadline)
        #expect(state.batchSize.target == 625)
        let handed = await handOverWhileWaiting(&state, offset: 7, closing: .deadline)
        #expect(handed?.records.first?.offset == 7)
        #expect(state.batchSize.target == 500, "down to the minimum, not below")
    }

    /// Delivers a batch to the pipeline parked for it.
    private func handOverWhileWaiting(
        _ state: inout ConsumerStateMachine, offset: Int64, closing: AdaptiveBatchSize.Closing
    ) async -> RecordBatch? {
        await withCheckedContinuation { continuation in
            #expect(state.park(continuation) == nil)
            switch state.deliver(RecordBatch(records: [record(0, offset)], tickets: []), closing: closing) {
            case .resume(let waiter, let batch): waiter.resume(returning: batch)
            case .queued, .dropped:
                Issue.record("the waiting pipeline must get the batch")
                continuation.resume(returning: nil)
            }
        }
    }

    @Test func equalBoundsAreAFixedSizeWithNoCeilingToHoldAt() {
        var state = ConsumerStateMachine(
            maxReadyBatches: 2, maxOutstandingRecords: 100_000, batchSize: AdaptiveBatchSize(minimum: 500, maximum: 500))
        state.assigned(partitions)
        _ = state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full)
        #expect(state.batchSize.target == 500 && !state.isAtBatchCeiling)
    }

    @Test func aBoundedWaitExpiresOnlyItsOwnParkAndABacklogShowsInTheBatchSize() async {
        var state = ConsumerStateMachine(
            maxReadyBatches: 2, maxOutstandingRecords: 100_000, batchSize: AdaptiveBatchSize(minimum: 500, maximum: 5_000))
        state.assigned(partitions)
        #expect(!state.isInBacklog, "the size starts at its minimum")
        // The first wait's timer fires: it ends that wait, with nothing.
        let expired: RecordBatch? = await withCheckedContinuation { continuation in
            #expect(state.park(continuation) == nil)
            let park = state.parkCount
            guard let waiter = state.expireWait(park: park) else {
                Issue.record("the wait in progress must expire")
                continuation.resume(returning: nil)
                return
            }
            #expect(state.expireWait(park: park) == nil, "a wait expires once")
            waiter.resume(returning: nil)
        }
        #expect(expired == nil)
        // A second wait: the first wait's timer, late, must not end it; a batch does.
        let handed: RecordBatch? = await withCheckedContinuation { continuation in
            let staleTimer = state.parkCount
            #expect(state.park(continuation) == nil)
            if let ended = state.expireWait(park: staleTimer) {
                Issue.record("an earlier wait's timer must leave this one alone")
                ended.resume(returning: nil)
                return
            }
            switch state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full) {
            case .resume(let waiter, let batch): waiter.resume(returning: batch)
            case .queued, .dropped: Issue.record("the waiting pipeline must get the batch")
            }
        }
        #expect(handed?.records.first?.offset == 0)
        // Full batches nobody waited for: a backlog.
        _ = state.deliver(RecordBatch(records: [record(0, 1)], tickets: []), closing: .full)
        #expect(state.isInBacklog && state.batchSize.target == 1_000)
    }

    /// A burst is polled straight into the batch being filled; its records of
    /// partitions no longer assigned are dropped there, the rest keep their order.
    @Test func aBurstPolledIntoTheBatchKeepsOnlyRecordsOfAssignedPartitions() {
        var state = machine()
        var batch = RecordBatch(records: [record(0, 1)], tickets: [])
        batch.register(from: 0) { state.register($0) }
        batch.records += [record(1, 7), record(5, 3), record(0, 2), record(5, 4), record(1, 8)]
        batch.register(from: 1) { state.register($0) }
        #expect(batch.records.map { "\($0.partition)@\($0.offset)" } == ["0@1", "1@7", "0@2", "1@8"])
        #expect(batch.tickets.map(\.offset) == [1, 7, 2, 8])
        #expect(batch.tickets.map { state.tracker.partition(of: $0)?.partition } == [0, 1, 0, 1])
        #expect(state.tracker.outstanding == 4)
    }

    @Test func pollsFreelyWhileThePipelineKeepsUp() {
        var state = machine()
        #expect(state.fetchAction(now: 0) == .poll(pause: [], resume: []))
        _ = state.register(record(0, 0))
        #expect(state.fetchAction(now: 1) == .poll(pause: [], resume: []))
    }

    @Test func holdsThroughAShortStallAndPausesALongOne() {
        var state = machine()
        _ = state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full)
        _ = state.deliver(RecordBatch(records: [record(0, 1)], tickets: []), closing: .full)  // two ready: behind
        let start: UInt64 = 5 * second
        #expect(state.fetchAction(now: start) == .hold)
        #expect(state.fetchAction(now: start + second / 2) == .hold, "half a second is a short stall")

        guard case .poll(let paused, let resumed) = state.fetchAction(now: start + second) else {
            Issue.record("a one-second stall must pause, then poll for callbacks")
            return
        }
        #expect(Set(paused) == Set(partitions))
        #expect(resumed.isEmpty)
        #expect(state.fetchAction(now: start + 2 * second) == .poll(pause: [], resume: []), "paused once, polling on")

        // The pipeline takes both batches: fetching resumes.
        _ = state.takeBatch()
        _ = state.takeBatch()
        guard case .poll(let pausedNow, let resumedNow) = state.fetchAction(now: start + 3 * second) else {
            Issue.record("expected a poll")
            return
        }
        #expect(pausedNow.isEmpty)
        #expect(Set(resumedNow) == Set(partitions))
    }

    @Test func aNewStallStartsItsOwnClock() {
        var state = machine()
        _ = state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full)
        _ = state.deliver(RecordBatch(records: [record(0, 1)], tickets: []), closing: .full)
        #expect(state.fetchAction(now: 0) == .hold)
        _ = state.takeBatch()  // caught up after 0.9 s
        #expect(state.fetchAction(now: second * 9 / 10) == .poll(pause: [], resume: []))
        _ = state.deliver(RecordBatch(records: [record(0, 2)], tickets: []), closing: .full)
        #expect(state.fetchAction(now: second * 15 / 10) == .hold, "0.5 s into the second stall, not 1.5 s into the first")
    }

    @Test func tooManyRecordsAwaitingResultsIsAStallToo() throws {
        var state = machine(maxOutstanding: 3)
        #expect(!state.isInBacklog)
        var tickets: [OffsetTracker.Ticket] = []
        for offset in 0..<3 {
            let ticket = state.register(record(1, Int64(offset)))
            tickets.append(try #require(ticket))
        }
        #expect(state.fetchAction(now: 0) == .hold)
        state.complete(tickets)
        #expect(state.fetchAction(now: 1) == .poll(pause: [], resume: []))
        // Held since the last delivery: the pipeline's own backlog, so the next batch is near.
        #expect(state.isInBacklog)
        _ = state.deliver(RecordBatch(records: [record(1, 3)], tickets: []), closing: .deadline)
        #expect(!state.isInBacklog, "a delivery starts over")
    }

    @Test func memoryOverItsTargetHoldsFetchingOnlyWhileRecordsAreInFlight() throws {
        var state = machine()
        state.noteMemory(high: true)
        // Nothing in flight would free memory: fetching goes on rather than stall for good.
        #expect(state.fetchAction(now: 0) == .poll(pause: [], resume: []))
        let registered = state.register(record(0, 0))
        let ticket = try #require(registered)
        #expect(state.fetchAction(now: 1) == .hold)
        // Its acknowledgement (or memory back under the target) lets fetching go on.
        state.complete([ticket])
        #expect(state.fetchAction(now: 2) == .poll(pause: [], resume: []))
        _ = state.register(record(0, 1))
        #expect(state.fetchAction(now: 3) == .hold)
        state.noteMemory(high: false)
        #expect(state.fetchAction(now: 4) == .poll(pause: [], resume: []))
        // Records of the batch being filled are not in flight: their results cannot come while fetching holds.
        state.noteMemory(high: true)
        #expect(state.fetchAction(now: 5, filling: 1) == .poll(pause: [], resume: []))
        _ = state.register(record(0, 2))
        #expect(state.fetchAction(now: 6, filling: 1) == .hold)
    }

    @Test func batchesShrinkWhileMemoryIsOverItsTarget() {
        var state = ConsumerStateMachine(
            maxReadyBatches: 8, maxOutstandingRecords: 100_000, batchSize: AdaptiveBatchSize(minimum: 500, maximum: 8_000))
        state.assigned(partitions)
        for offset in 0..<4 { _ = state.deliver(RecordBatch(records: [record(0, Int64(offset))], tickets: []), closing: .full) }
        #expect(state.batchSize.target == 8_000)
        state.noteMemory(high: true)
        _ = state.deliver(RecordBatch(records: [record(0, 4)], tickets: []), closing: .full)
        #expect(state.batchSize.target == 4_000, "a backlog grows the batches, but memory comes first")
    }

    @Test func drainingPausesEverythingAtOnce() {
        var state = machine()
        _ = state.beginDraining()
        guard case .poll(let paused, _) = state.fetchAction(now: 0) else {
            Issue.record("draining must keep polling (callbacks) with partitions paused")
            return
        }
        #expect(Set(paused) == Set(partitions))
        let none = state.takeBatch()
        #expect(none == nil)
    }

    /// Issue 11, item 6: with small batches the pipeline takes one while the
    /// poll thread has already delivered the next, so the ready queue never
    /// runs empty. Every batch handed out must be let go of all the same, or
    /// its records stay in memory for as long as the backlog lasts.
    @Test func letsGoOfEveryBatchItHandsOut() {
        var state = machine()
        _ = state.deliver(RecordBatch(records: [record(0, 0)], tickets: []), closing: .full)
        for offset in 1...1_000 {
            _ = state.deliver(RecordBatch(records: [record(0, Int64(offset))], tickets: []), closing: .full)
            #expect(state.takeBatch()?.records.first?.offset == Int64(offset - 1))
        }
        #expect(state.readyCount == 1)
        #expect(state.ready.count == 1, "it still holds \(state.ready.count) batches")
    }
}

extension ConsumerStateMachine {
    /// The next batch, or nil when there is none (test shorthand).
    fileprivate mutating func takeBatch() -> RecordBatch? {
        if case .batch(let batch) = next() { return batch }
        return nil
    }
}
