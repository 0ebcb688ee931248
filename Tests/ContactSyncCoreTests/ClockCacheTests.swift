import Testing

import ContactSyncCore

@Suite struct ClockCacheTests {
    private typealias F = ClockFixture

    private static let clocks = F.clocks([(.name, F.clock(10, .string("A")))])

    @Test func storeThenLookupAndReplace() {
        var cache = ClockCache(capacity: 10)
        #expect(cache.lookup("u1") == nil)
        cache.store("u1", Self.clocks)
        #expect(cache.lookup("u1") == Self.clocks)
        let newer = F.clocks([(.name, F.clock(20, .string("B")))])
        cache.store("u1", newer)
        #expect(cache.lookup("u1") == newer)
        #expect(cache.count == 1)
        #expect(cache.capacity == 10)
    }

    /// The pipeline hands over the binary form it already made for the store.
    @Test func storeEncodedIsTheSameAsStore() {
        var cache = ClockCache(capacity: 10)
        cache.store("u1", encoded: Self.clocks.encoded())
        #expect(cache.lookup("u1") == Self.clocks)
        #expect(cache.count == 1)
    }

    @Test func holdsEveryKindOfFieldExactly() {
        var cache = ClockCache(capacity: 2)
        let clocks = F.clocks([
            (.attribute(String(repeating: "long_name_", count: 20)), F.clock(-3, .number(2.5))),
            (.attribute("caf\u{E9}"), FieldClock(occurredAt: Timestamp(nanosecondsSinceEpoch: .min), digest: .max)),
            (.phone, F.clock(7, .null)), (.email, F.clock(8, .string("a@x.io"))),
        ])
        cache.store("u1", clocks)
        #expect(cache.lookup("u1") == clocks)
        cache.store("u2", ContactClocks())
        #expect(cache.lookup("u2") == ContactClocks())
    }

    @Test func mergeIfPresentLeavesUnknownContactsAlone() {
        var cache = ClockCache(capacity: 4)
        cache.store("u1", Self.clocks)
        let newer = F.clocks([(.name, F.clock(20, .string("B"))), (.email, F.clock(5, .string("e")))])
        cache.mergeIfPresent("u1", newer)
        cache.mergeIfPresent("u2", newer)
        #expect(cache.lookup("u1") == newer)
        #expect(cache.lookup("u2") == nil)
        #expect(cache.count == 1)
    }

    @Test func mergeIfPresentReachesThePreviousGeneration() {
        var cache = ClockCache(capacity: 4)  // two generations of two
        cache.store("u1", Self.clocks)
        cache.store("u2", Self.clocks)
        cache.store("u3", Self.clocks)  // u1, u2 previous
        let newer = F.clocks([(.name, F.clock(20, .string("B")))])
        cache.mergeIfPresent("u1", newer)
        #expect(cache.lookup("u1") == newer)
    }

    @Test(arguments: [0, 1, 2, 3, 7, 100])
    func countNeverExceedsCapacity(capacity: Int) {
        var cache = ClockCache(capacity: capacity)
        for index in 0..<1_000 {
            cache.store("u\(index)", Self.clocks)
            // Touch an old contact too, which may promote it.
            _ = cache.lookup("u\(index / 2)")
            #expect(cache.count <= capacity)
        }
        #expect(cache.count >= capacity / 2)
    }

    @Test func evictionForgetsOldestAndKeepsRecentlyUsed() {
        var cache = ClockCache(capacity: 4)  // two generations of two
        cache.store("u1", Self.clocks)
        cache.store("u2", Self.clocks)
        cache.store("u3", Self.clocks)  // u1, u2 become the previous generation
        #expect(cache.lookup("u1") == Self.clocks)  // u1 moves back to current
        cache.store("u4", Self.clocks)  // u3, u1 previous; u4 current; u2 dropped
        #expect(cache.count == 3)
        #expect(cache.lookup("u2") == nil)
        #expect(cache.lookup("u1") == Self.clocks)
        #expect(cache.lookup("u3") == Self.clocks)
        #expect(cache.lookup("u4") == Self.clocks)
        #expect(cache.count <= 4)
    }

    @Test func storingAContactOfThePreviousGenerationMovesIt() {
        var cache = ClockCache(capacity: 4)
        cache.store("u1", Self.clocks)
        cache.store("u2", Self.clocks)
        cache.store("u3", Self.clocks)  // u1, u2 previous
        let newer = F.clocks([(.name, F.clock(20, .string("B")))])
        cache.store("u1", newer)  // u3, u1 current
        #expect(cache.count == 3)
        cache.store("u4", Self.clocks)  // u3, u1 previous; u2 dropped
        #expect(cache.lookup("u1") == newer)
        #expect(cache.lookup("u2") == nil)
    }

    @Test func capacityOneHoldsTheLastContact() {
        var cache = ClockCache(capacity: 1)
        cache.store("u1", Self.clocks)
        cache.store("u2", Self.clocks)
        #expect(cache.count == 1)
        #expect(cache.lookup("u1") == nil)
        #expect(cache.lookup("u2") == Self.clocks)
    }

    @Test func zeroCapacityRemembersNothing() {
        var cache = ClockCache(capacity: 0)
        cache.store("u1", Self.clocks)
        #expect(cache.count == 0)
        #expect(cache.lookup("u1") == nil)
    }

    @Test func removeAllEmptiesIt() {
        var cache = ClockCache(capacity: 10)
        cache.store("u1", Self.clocks)
        cache.store("u2", Self.clocks)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.lookup("u1") == nil)
    }
}
