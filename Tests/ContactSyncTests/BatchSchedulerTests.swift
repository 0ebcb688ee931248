@testable import ContactSync
import ContactSyncCore
import Testing

/// The consuming loop's order of work, without sockets: a batch's payloads here are just names.
@Suite struct BatchSchedulerTests {
    /// In flight, publication and commit are each a name.
    private typealias Scheduler = BatchScheduler<String, String, String>

    private func updates(_ ids: String...) -> [ContactUpdate] {
        ids.map { ContactUpdate(externalID: $0, earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0)) }
    }

    @Test func theFirstBatchCatchesTheClocksUpBeforeItStarts() {
        var scheduler = Scheduler()
        guard case .catchUpFirst(let finishing, let epoch) = scheduler.arrived(epoch: 1, recordCount: 10) else {
            Issue.record("a first assignment must catch the clocks up")
            return
        }
        #expect(finishing == nil && epoch == 1)
        scheduler.caughtUp(to: 1)
        guard case .start = scheduler.arrived(epoch: 1, recordCount: 10) else {
            Issue.record("caught up: the batch starts")
            return
        }
    }

    @Test func contactsInFlightWaitAndTheOthersGoAtOnce() {
        var scheduler = Scheduler()
        #expect(scheduler.split(updates("a", "b")).waiting.isEmpty, "nothing in flight: everything is free")
        scheduler.started("first", contacts: ["a", "c"])
        let (free, waiting) = scheduler.split(updates("a", "b", "c", "d"))
        #expect(free.map(\.externalID) == ["b", "d"])
        #expect(waiting.map(\.externalID) == ["a", "c"])
    }

    @Test func theBatchInFlightIsTakenOnceAndTheNextMayStartThen() {
        var scheduler = Scheduler()
        scheduler.started("first", contacts: ["a"])
        #expect(scheduler.takeInFlight() == "first")
        #expect(scheduler.takeInFlight() == nil)
        #expect(scheduler.split(updates("a")).waiting.isEmpty, "finished: its contacts no longer wait")
        scheduler.started("second", contacts: ["b"])
        #expect(scheduler.takeInFlight() == "second")
    }

    @Test func aNewAssignmentFinishesTheBatchInFlightFirst() {
        var scheduler = Scheduler()
        scheduler.caughtUp(to: 1)
        scheduler.started("first", contacts: ["a"])
        guard case .catchUpFirst(let finishing, let epoch) = scheduler.arrived(epoch: 2, recordCount: 5) else {
            Issue.record("a new assignment must catch the clocks up")
            return
        }
        #expect(finishing == "first" && epoch == 2)
        #expect(scheduler.takeInFlight() == nil, "handed over with the action")
        scheduler.caughtUp(to: 2)
        #expect(scheduler.caughtUpEpoch == 2)
    }

    @Test func anEmptyBatchIsSkippedWithoutTouchingTheBatchInFlight() {
        var scheduler = Scheduler()
        scheduler.started("first", contacts: ["a"])
        guard case .skip = scheduler.arrived(epoch: 7, recordCount: 0) else {
            Issue.record("an empty batch is skipped")
            return
        }
        #expect(scheduler.split(updates("a")).waiting.count == 1)
    }

    // MARK: - publishing and committing

    @Test func decidedBatchesAreHandedOverOneAtATimeInTheOrderTheyWereDecided() {
        var scheduler = Scheduler()
        let first = scheduler.decided("results 1", parts: 2, commit: "offsets 1")
        #expect(first?.publication == "results 1", "nothing is being handed over: the first goes at once")
        #expect(scheduler.decided("results 2", parts: 2, commit: "offsets 2") == nil, "waits for the first")
        #expect(scheduler.decided("results 3", parts: 2, commit: "offsets 3") == nil)
        let second = scheduler.handedOver()
        #expect(second?.publication == "results 2")
        #expect(scheduler.handedOver()?.publication == "results 3")
        #expect(scheduler.handedOver() == nil, "the queue is empty: the hand-over ends")
        #expect(scheduler.decided("results 4", parts: 1, commit: "offsets 4")?.publication == "results 4", "and the next one goes at once again")
        #expect(first?.number != second?.number)
    }

    @Test func aBatchIsCommittedOnlyOnceEveryPartOfItsPublicationIsAcknowledged() {
        var scheduler = Scheduler()
        let first = scheduler.decided("results 1", parts: 2, commit: "offsets 1")!
        _ = scheduler.decided("results 2", parts: 2, commit: "offsets 2")
        let second = scheduler.handedOver()!
        #expect(scheduler.awaitingAcknowledgement == 2)
        #expect(scheduler.acknowledged(second.number) == nil, "one part of two")
        #expect(scheduler.acknowledged(first.number) == nil, "one part of two")
        #expect(scheduler.acknowledged(second.number) == "offsets 2", "acknowledged in full: the second may commit before the first")
        #expect(scheduler.awaitingAcknowledgement == 1)
        #expect(scheduler.acknowledged(first.number) == "offsets 1")
        #expect(scheduler.awaitingAcknowledgement == 0)
    }

    @Test func publishingDoesNotWaitForTheBatchInFlight() {
        var scheduler = Scheduler()
        scheduler.started("batch 2", contacts: ["a"])
        #expect(scheduler.decided("results 1", parts: 2, commit: "offsets 1") != nil)
        #expect(scheduler.split(updates("a")).waiting.count == 1, "publishing leaves the batch in flight alone")
    }
}
