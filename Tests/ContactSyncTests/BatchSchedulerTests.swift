@testable import ContactSync
import ContactSyncCore
import Testing

/// The consuming loop's order of work, without sockets: a batch's payload here is just its name.
@Suite struct BatchSchedulerTests {
    private func updates(_ ids: String...) -> [ContactUpdate] {
        ids.map { ContactUpdate(externalID: $0, earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0)) }
    }

    @Test func theFirstBatchCatchesTheClocksUpBeforeItStarts() {
        var scheduler = BatchScheduler<String>()
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
        var scheduler = BatchScheduler<String>()
        #expect(scheduler.split(updates("a", "b")).waiting.isEmpty, "nothing in flight: everything is free")
        scheduler.started("first", contacts: ["a", "c"])
        let (free, waiting) = scheduler.split(updates("a", "b", "c", "d"))
        #expect(free.map(\.externalID) == ["b", "d"])
        #expect(waiting.map(\.externalID) == ["a", "c"])
    }

    @Test func theBatchInFlightIsTakenOnceAndTheNextMayStartThen() {
        var scheduler = BatchScheduler<String>()
        scheduler.started("first", contacts: ["a"])
        #expect(scheduler.takeInFlight() == "first")
        #expect(scheduler.takeInFlight() == nil)
        #expect(scheduler.split(updates("a")).waiting.isEmpty, "finished: its contacts no longer wait")
        scheduler.started("second", contacts: ["b"])
        #expect(scheduler.takeInFlight() == "second")
    }

    @Test func aNewAssignmentFinishesTheBatchInFlightFirst() {
        var scheduler = BatchScheduler<String>()
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
        var scheduler = BatchScheduler<String>()
        scheduler.started("first", contacts: ["a"])
        guard case .skip = scheduler.arrived(epoch: 7, recordCount: 0) else {
            Issue.record("an empty batch is skipped")
            return
        }
        #expect(scheduler.split(updates("a")).waiting.count == 1)
    }
}
