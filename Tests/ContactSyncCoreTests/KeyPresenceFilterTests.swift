import Testing

import ContactSyncCore

@Suite struct KeyPresenceFilterTests {
    /// The one promise the store relies on: an inserted key is always found.
    @Test func neverMissesAnInsertedKey() {
        var filter = KeyPresenceFilter(bits: 1 << 16, probes: 5)
        let keys = (0..<20_000).map { "customer-\($0)" }
        for key in keys { filter.insert(key) }
        #expect(keys.allSatisfy { filter.mayContain($0) })
        #expect(filter.insertions == 20_000)
    }

    /// `insert` says "absent before" exactly when `mayContain` would have said no:
    /// never for a key inserted earlier (the store then skips its read).
    @Test func insertTellsAKeyThatWasCertainlyAbsent() {
        var filter = KeyPresenceFilter(bits: 1 << 16, probes: 5)
        var toldAbsent = 0
        for index in 0..<5_000 {
            let key = "customer-\(index)"
            let couldBeThere = filter.mayContain(key)
            let wasAbsent = filter.insert(key)
            #expect(wasAbsent == !couldBeThere)
            let absentAgain = filter.insert(key)
            #expect(!absentAgain, "a key inserted a moment ago was told absent")
            if wasAbsent { toldAbsent += 1 }
        }
        #expect(toldAbsent > 4_900, "at this load nearly every new key is told absent: \(toldAbsent)")
    }

    @Test func anEmptyFilterContainsNothing() {
        let filter = KeyPresenceFilter(bits: 64, probes: 3)
        #expect(!filter.mayContain(""))
        #expect(!filter.mayContain("c-1"))
    }

    /// At the size's design load, most absent keys are told absent: the point of the filter.
    @Test func falsePositivesStayNearTheDesignRate() {
        var filter = KeyPresenceFilter(bits: 1 << 20, probes: 5)
        for index in 0..<100_000 { filter.insert("in-\(index)") }
        let falsePositives = (0..<100_000).count { filter.mayContain("out-\($0)") }
        // Theory: (1 - e^(-5 * 100k / 1M))^5 ≈ 0.94%.
        #expect(falsePositives < 2_000, "false positives: \(falsePositives) of 100,000")
        #expect(falsePositives > 0, "a filter this full cannot be exact; the probes are not spread")
    }

    /// Keys that share a long prefix or differ in one byte still spread apart.
    @Test func similarKeysAreToldApart() {
        var filter = KeyPresenceFilter(bits: 1 << 16, probes: 5)
        let prefix = String(repeating: "a", count: 120)
        filter.insert(prefix + "0")
        let absent = (1..<1_000).count { !filter.mayContain(prefix + "\($0)") }
        #expect(absent > 990)
        #expect(filter.mayContain(prefix + "0"))
    }

    @Test func sizeIsRoundedUpToAPowerOfTwo() {
        var filter = KeyPresenceFilter(bits: 100, probes: 2)
        filter.insert("x")
        #expect(filter.mayContain("x"))
    }
}
