import Testing

import ContactSyncCore

@Suite struct ContactClocksTests {
    private typealias F = ClockFixture

    @Test func mergeKeepsTheGreaterOccurredAt() {
        var clocks = ContactClocks()
        #expect(clocks.isEmpty)
        let tookFirst = clocks.merge(.email, F.clock(20, .string("new")))
        #expect(tookFirst)
        let tookOlder = clocks.merge(.email, F.clock(10, .string("old")))
        #expect(!tookOlder)
        #expect(clocks.clock(for: .email) == F.clock(20, .string("new")))
        let tookNewer = clocks.merge(.email, F.clock(30, .string("newer")))
        #expect(tookNewer)
        #expect(clocks.clock(for: .email) == F.clock(30, .string("newer")))
        #expect(clocks.count == 1)
        #expect(clocks.clock(for: .name) == nil)
    }

    @Test func onEqualOccurredAtTheIncomingClockReplaces() {
        var clocks = F.clocks([(.name, F.clock(10, .string("A")))])
        let tookSame = clocks.merge(.name, F.clock(10, .string("A")))
        #expect(!tookSame)  // nothing changes
        let tookOtherValue = clocks.merge(.name, F.clock(10, .string("B")))
        #expect(tookOtherValue)
        #expect(clocks.clock(for: .name) == F.clock(10, .string("B")))
    }

    @Test func mergingClockSetsIsFieldByField() {
        var mine = F.clocks([(.email, F.clock(10, .string("a"))), (.name, F.clock(30, .string("n")))])
        let theirs = F.clocks([
            (.email, F.clock(20, .string("b"))), (.name, F.clock(25, .string("m"))),
            (.attribute("plan"), F.clock(5, .string("pro"))),
        ])
        let changedOnce = mine.merge(theirs)
        #expect(changedOnce)
        #expect(mine.clock(for: .email) == F.clock(20, .string("b")))
        #expect(mine.clock(for: .name) == F.clock(30, .string("n")))
        #expect(mine.clock(for: .attribute("plan")) == F.clock(5, .string("pro")))
        let changedTwice = mine.merge(theirs)
        #expect(!changedTwice)
    }

    @Test func orderIsCanonicalWhateverTheMergeOrder() {
        let entries: [(ContactField, FieldClock)] = [
            (.attribute("zeta"), F.clock(1, .null)), (.phone, F.clock(2, .null)),
            (.attribute("alpha"), F.clock(3, .null)), (.email, F.clock(4, .null)), (.name, F.clock(5, .null)),
        ]
        let forward = F.clocks(entries)
        let backward = F.clocks(entries.reversed())
        #expect(forward == backward)
        #expect(forward.encoded() == backward.encoded())
        #expect(forward.map(\.field) == [.email, .name, .phone, .attribute("alpha"), .attribute("zeta")])
    }

    @Test func recordTakesTheStoredValuesStampAndDigest() {
        var clocks = F.clocks([(.phone, F.clock(50, .string("+1")))])
        clocks.record(
            stored: F.update(
                "u1",
                [
                    .email: F.stamped(.string("a@x.io"), 12, sequence: 9), .phone: F.stamped(.null, 40),
                    .lastLoginAt: F.stamped(.string("2026-11-24T10:15:00.000Z"), 12),
                ]))
        #expect(clocks.clock(for: .email) == FieldClock(occurredAt: F.at(12), digest: ValueDigest.of(.string("a@x.io"))))
        #expect(clocks.clock(for: .phone) == F.clock(50, .string("+1")))  // the stored clock is newer
        #expect(clocks.clock(for: .lastLoginAt) == F.clock(12, .string("2026-11-24T10:15:00.000Z")))
    }

    @Test func binaryFormIsCompactAndFixed() {
        let clocks = F.clocks([
            (.attribute("plan"), FieldClock(occurredAt: Timestamp(nanosecondsSinceEpoch: -1), digest: .max)),
            (.email, FieldClock(occurredAt: F.at(1, nanos: 5), digest: 0x0102_0304_0506_0708)),
        ])
        let expected: [UInt8] =
            [1]
            + [0, 0x05, 0xCA, 0x9A, 0x3B, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]
            + [3, 4] + Array("plan".utf8) + [UInt8](repeating: 0xFF, count: 16)
        #expect(clocks.encoded() == expected)
        #expect(ContactClocks(encoded: expected) == clocks)
        #expect(ContactClocks().encoded() == [1])
        #expect(ContactClocks(encoded: [1]) == ContactClocks())
    }

    @Test func binaryRoundTripsLongAndUnusualNames() {
        let long = String(repeating: "n", count: 300)  // a two-byte length
        let clocks = F.clocks([
            (.attribute(long), F.clock(-5, .number(1))), (.attribute("é \"x\"\n"), F.clock(Int64.max / 1_000_000_000, .null)),
            (.attribute(""), F.clock(0, .bool(true))), (.name, FieldClock(occurredAt: .init(nanosecondsSinceEpoch: .min), digest: 0)),
        ])
        #expect(ContactClocks(encoded: clocks.encoded()) == clocks)
    }

    @Test(arguments: [
        [],  // no format byte
        [2],  // unknown format
        [1, 0, 1, 2, 3],  // truncated clock
        [1, 9] + [UInt8](repeating: 0, count: 16),  // unknown field tag
        [1, 3, 5, 0x61],  // name longer than the bytes
        [1, 3, 0x81, 0x00, 0x61] + [UInt8](repeating: 0, count: 16),  // overlong varint
        [1, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // varint beyond 63 bits
        [1, 3, 1, 0xC3] + [UInt8](repeating: 0, count: 16),  // invalid UTF-8 name
        [1, 1] + [UInt8](repeating: 0, count: 16) + [0] + [UInt8](repeating: 0, count: 16),  // out of order
        [1, 0] + [UInt8](repeating: 0, count: 16) + [0] + [UInt8](repeating: 0, count: 16),  // repeated
    ] as [[UInt8]])
    func malformedBinaryIsNil(bytes: [UInt8]) {
        #expect(ContactClocks(encoded: bytes) == nil)
    }

    @Test func mergingEncodedTreatsMissingOrUnreadableExistingAsEmpty() {
        let incoming = F.clocks([(.email, F.clock(20, .string("b")))])
        let merged = incoming.encoded().withUnsafeBytes { incomingBytes in
            ContactClocks.mergingEncoded(nil, incomingBytes)
        }
        #expect(merged == incoming.encoded())
        let garbage: [UInt8] = [7, 7, 7]
        // Nothing stored and unreadable incoming bytes: no clocks, not the garbage.
        let fromGarbage = garbage.withUnsafeBytes { ContactClocks.mergingEncoded(nil, $0) }
        #expect(fromGarbage == ContactClocks().encoded())
        let overGarbage = garbage.withUnsafeBytes { ContactClocks.mergedEncoded($0, with: incoming) }
        #expect(overGarbage == incoming.encoded())

        let existing = F.clocks([(.email, F.clock(30, .string("c"))), (.name, F.clock(1, .string("n")))])
        let combined = existing.encoded().withUnsafeBytes { existingBytes in
            incoming.encoded().withUnsafeBytes { ContactClocks.mergingEncoded(existingBytes, $0) }
        }
        #expect(ContactClocks(encoded: combined) == existing)
    }
}
