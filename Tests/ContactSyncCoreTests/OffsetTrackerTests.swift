import ContactSyncCore
import Testing

@Suite struct OffsetTrackerTests {
    let p0 = TopicPartition(topic: "t", partition: 0)
    let p1 = TopicPartition(topic: "t", partition: 1)

    @Test func commitsOnlyTheCompletedPrefix() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        var tickets: [OffsetTracker.Ticket] = []
        for offset in 10..<15 { tickets.append(try register(&tracker, p0, Int64(offset))) }
        #expect(tracker.outstanding == 5)

        tracker.complete(tickets[1])
        tracker.complete(tickets[2])
        #expect(tracker.takeCommittable().isEmpty, "offset 10 has no result yet")

        tracker.complete(tickets[0])
        #expect(tracker.takeCommittable().map(\.1) == [13])
        #expect(tracker.takeCommittable().isEmpty, "an offset is handed out once")
        #expect(tracker.outstanding == 2)

        tracker.complete(tickets[4])
        tracker.complete(tickets[3])
        #expect(tracker.takeCommittable().map(\.1) == [15])
        #expect(tracker.outstanding == 0)
    }

    @Test func gapsInOffsetsDoNotBlockCommits() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        let a = try register(&tracker, p0, 3)
        let b = try register(&tracker, p0, 7)  // compacted topic or transaction markers
        tracker.complete(b)
        tracker.complete(a)
        #expect(tracker.takeCommittable().map(\.1) == [8])
    }

    @Test func completingTwiceCountsOnce() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        let a = try register(&tracker, p0, 0)
        _ = try register(&tracker, p0, 1)
        tracker.complete(a)
        tracker.complete(a)
        #expect(tracker.outstanding == 1)
    }

    @Test func redeliveryOfAnOffsetInFlightIsNotTrackedTwice() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        _ = try register(&tracker, p0, 5)
        let again = tracker.register(p0, offset: 5)
        let older = tracker.register(p0, offset: 4)
        #expect(again == nil)
        #expect(older == nil)
        #expect(tracker.outstanding == 1)
    }

    @Test func unassignedPartitionsAreNotTracked() {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        let foreign = tracker.register(p1, offset: 0)
        #expect(foreign == nil)
        #expect(tracker.outstanding == 0)
    }

    @Test func revokeForgetsOutstandingRecordsAndIgnoresLateCompletions() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        tracker.assign(p1)
        let old = try register(&tracker, p0, 0)
        _ = try register(&tracker, p0, 1)
        _ = try register(&tracker, p1, 0)
        #expect(tracker.outstanding == 3)

        tracker.revoke([p0])
        #expect(tracker.outstanding == 1)
        tracker.assign(p0)  // a new generation
        let fresh = try register(&tracker, p0, 0)
        tracker.complete(old)  // work begun before the revoke
        #expect(tracker.takeCommittable().isEmpty, "a late completion must not advance the new assignment")
        #expect(tracker.outstanding == 2)
        tracker.complete(fresh)
        #expect(tracker.takeCommittable().map(\.1) == [1])
    }

    @Test func reassigningWithoutRevokeResetsTheCount() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        _ = try register(&tracker, p0, 0)
        tracker.assign(p0)
        #expect(tracker.outstanding == 0)
    }

    @Test func manyRecordsCompleteOutOfOrderAcrossCompaction() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        var tickets: [OffsetTracker.Ticket] = []
        for offset in 0..<5_000 {
            let ticket = try register(&tracker, p0, Int64(offset))
            tickets.append(ticket)
        }
        // Complete in two interleaved halves, odd offsets first.
        for ticket in tickets where ticket.offset % 2 == 1 { tracker.complete(ticket) }
        #expect(tracker.takeCommittable().isEmpty)
        for ticket in tickets where ticket.offset % 2 == 0 { tracker.complete(ticket) }
        #expect(tracker.takeCommittable().map(\.1) == [5_000])
        #expect(tracker.outstanding == 0)
        // Still tracks correctly after the dead prefix was compacted away.
        let next = try register(&tracker, p0, 5_000)
        tracker.complete(next)
        #expect(tracker.takeCommittable().map(\.1) == [5_001])
    }

    /// Offsets and their completed flag share one word: the largest offsets keep
    /// their value, and compacting while later records are still in flight keeps them.
    @Test func largeOffsetsSurvivePackingAndCompactionWithRecordsInFlight() throws {
        var tracker = OffsetTracker()
        tracker.assign(p0)
        let base = Int64.max >> 1 - 10_000
        var tickets: [OffsetTracker.Ticket] = []
        for step in 0..<4_000 { tickets.append(try register(&tracker, p0, base + Int64(step) * 2)) }
        // The first 3,000 complete (compacted away); the last 1,000 stay in flight.
        for ticket in tickets[..<3_000] { tracker.complete(ticket) }
        #expect(tracker.takeCommittable().map(\.1) == [base + 2 * 2_999 + 1])
        #expect(tracker.outstanding == 1_000)
        for ticket in tickets[3_000...].reversed() { tracker.complete(ticket) }
        #expect(tracker.takeCommittable().map(\.1) == [base + 2 * 3_999 + 1])
        #expect(tracker.outstanding == 0)
        #expect(tracker.isCompleted(through: [p0: base + 2 * 3_999]))
    }

    /// Lookups remember the last partition found (records come in runs of one
    /// partition): interleaved partitions, a topic sharing a partition number,
    /// and assignments and revokes between lookups must still land on the right one.
    @Test func interleavedPartitionsAndAssignmentChangesKeepEachPartitionApart() throws {
        let sameNumber = TopicPartition(topic: "u", partition: 0)
        var tracker = OffsetTracker()
        tracker.assign(p0)
        tracker.assign(sameNumber)
        let first = try register(&tracker, p0, 0)
        let other = try register(&tracker, sameNumber, 0)
        let second = try register(&tracker, p0, 1)
        // Enough partitions to make the table grow between two lookups of p0.
        for number in 2..<100 { tracker.assign(TopicPartition(topic: "t", partition: Int32(number))) }
        let third = try register(&tracker, p0, 2)
        tracker.complete(other)
        #expect(tracker.takeCommittable().map { "\($0.0)@\($0.1)" } == ["u[0]@1"])
        tracker.complete(first)
        tracker.complete(second)
        tracker.revoke([sameNumber])
        #expect(tracker.register(sameNumber, offset: 1) == nil, "revoked")
        tracker.complete(third)
        #expect(tracker.takeCommittable().map { "\($0.0)@\($0.1)" } == ["t[0]@3"])
        #expect(tracker.outstanding == 0)
    }

    private func register(_ tracker: inout OffsetTracker, _ partition: TopicPartition, _ offset: Int64) throws -> OffsetTracker.Ticket {
        let ticket = tracker.register(partition, offset: offset)
        return try #require(ticket)
    }
}
