import Testing

@testable import ContactSyncCore

@Suite("RecentWebhookIDs")
struct RecentWebhookIDsTests {
    private static let second: UInt64 = 1_000_000_000

    @Test func anIDIsNewThenInProgressThenAccepted() {
        var ids = RecentWebhookIDs()
        #expect(ids.admit("msg_1", now: 0) == .new)
        #expect(ids.admit("msg_1", now: 1) == .inProgress)
        #expect(ids.count == 1)
        ids.finish("msg_1", accepted: 3, now: 2)
        #expect(ids.admit("msg_1", now: 3) == .alreadyAccepted(count: 3))
        #expect(ids.admit("msg_2", now: 3) == .new)
        #expect(ids.count == 2)
    }

    @Test func aFailedIDIsForgottenSoTheRetryIsProduced() {
        var ids = RecentWebhookIDs()
        #expect(ids.admit("msg_1", now: 0) == .new)
        ids.finish("msg_1", accepted: nil, now: 1)
        #expect(ids.count == 0)
        #expect(ids.admit("msg_1", now: 2) == .new)
    }

    @Test func finishingAnIDNotInProgressChangesNothing() {
        var ids = RecentWebhookIDs()
        ids.finish("never-admitted", accepted: 1, now: 0)
        #expect(ids.count == 0)
        #expect(ids.admit("a", now: 0) == .new)
        ids.finish("a", accepted: 2, now: 0)
        ids.finish("a", accepted: nil, now: 1)
        ids.finish("a", accepted: 9, now: 1)
        #expect(ids.admit("a", now: 2) == .alreadyAccepted(count: 2))
    }

    @Test func acceptedIDsExpireAfterTheWindow() {
        var ids = RecentWebhookIDs(window: .seconds(10))
        _ = ids.admit("a", now: 0)
        ids.finish("a", accepted: 1, now: 5 * Self.second)
        _ = ids.admit("b", now: 6 * Self.second)
        ids.finish("b", accepted: 2, now: 7 * Self.second)
        #expect(ids.admit("a", now: 15 * Self.second - 1) == .alreadyAccepted(count: 1))
        #expect(ids.admit("a", now: 15 * Self.second) == .new)
        #expect(ids.admit("b", now: 15 * Self.second) == .alreadyAccepted(count: 2))
        #expect(ids.count == 2)  // b accepted, a in progress again
        ids.finish("a", accepted: nil, now: 17 * Self.second)
        #expect(ids.count == 0)  // b expired at 17 s
    }

    @Test func inProgressIDsDoNotExpire() {
        var ids = RecentWebhookIDs(window: .seconds(1))
        _ = ids.admit("slow", now: 0)
        #expect(ids.admit("slow", now: 3600 * Self.second) == .inProgress)
        ids.finish("slow", accepted: 4, now: 3600 * Self.second)
        #expect(ids.admit("slow", now: 3600 * Self.second + 1) == .alreadyAccepted(count: 4))
    }

    @Test func theOldestAcceptedAreEvictedAtCapacity() {
        var ids = RecentWebhookIDs(capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            _ = ids.admit(id, now: UInt64(index))
            ids.finish(id, accepted: index, now: UInt64(index))
        }
        #expect(ids.count == 3)
        #expect(ids.admit("b", now: 10) == .alreadyAccepted(count: 1))
        #expect(ids.admit("d", now: 10) == .alreadyAccepted(count: 3))
        #expect(ids.admit("a", now: 10) == .new)
    }

    @Test func inProgressIDsAreNeverEvictedForCapacity() {
        var ids = RecentWebhookIDs(capacity: 2)
        for id in ["x", "y", "z"] { #expect(ids.admit(id, now: 0) == .new) }
        for id in ["a", "b", "c", "d"] {
            _ = ids.admit(id, now: 1)
            ids.finish(id, accepted: 1, now: 1)
        }
        #expect(ids.count == 5)  // 3 in progress, the 2 newest accepted
        for id in ["x", "y", "z"] { #expect(ids.admit(id, now: 2) == .inProgress) }
        #expect(ids.admit("c", now: 2) == .alreadyAccepted(count: 1))
        #expect(ids.admit("b", now: 2) == .new)
    }

    @Test func manyIDsStayWithinCapacity() {
        var ids = RecentWebhookIDs(capacity: 1_000, window: .seconds(60))
        for index in 0..<50_000 {
            let now = UInt64(index) * 1_000_000  // 1 ms apart
            #expect(ids.admit("msg_\(index)", now: now) == .new)
            ids.finish("msg_\(index)", accepted: 1, now: now)
            if index % 7 == 0 { #expect(ids.admit("msg_\(index)", now: now) == .alreadyAccepted(count: 1)) }
        }
        #expect(ids.count == 1_000)
        #expect(ids.admit("msg_49000", now: 50_000_000_000) == .alreadyAccepted(count: 1))
        #expect(ids.admit("msg_48999", now: 50_000_000_000) == .new)
    }

    @Test func theQueueKeepsOrderAcrossCompaction() {
        var queue = FIFOQueue<Int>()
        var expected = 0
        for value in 0..<10_000 {
            queue.append(value)
            if value % 3 != 0, let first = queue.popFirst() {
                #expect(first == expected)
                expected += 1
            }
        }
        #expect(queue.count == 10_000 - expected)
        while let first = queue.popFirst() {
            #expect(first == expected)
            expected += 1
        }
        #expect(expected == 10_000)
        #expect(queue.isEmpty && queue.first == nil)
    }
}
