import Testing

import ContactSyncCore

@Suite struct ValueDigestTests {
    /// FNV-1a 64 of the type tag and payload, computed independently (Python):
    /// these must never change, or every stored clock stops matching.
    @Test func digestsAreFixedAcrossRuns() {
        #expect(ValueDigest.of(.null) == 0xaf63_bd4c_8601_b7df)
        #expect(ValueDigest.of(.bool(true)) == 0x082f_2307_b4e8_8e77)
        #expect(ValueDigest.of(.bool(false)) == 0x082f_2207_b4e8_8cc4)
        #expect(ValueDigest.of(.number(1)) == 0x0de8_ddf5_4eac_c2d8)
        #expect(ValueDigest.of(.number(3.25)) == 0x0cc4_88f5_4db4_562f)
        #expect(ValueDigest.of(.number(0)) == 0x0cd9_2cf5_4dc6_15e5)
        #expect(ValueDigest.of(.string("1")) == 0x0835_ff07_b4ee_6ff9)
        #expect(ValueDigest.of(.string("")) == 0xaf63_be4c_8601_b992)
        #expect(ValueDigest.of(.string("a@x.io")) == 0xa8d2_fe99_e869_b591)
    }

    @Test func typesAreTagged() {
        let digests = [
            ValueDigest.of(.string("1")), ValueDigest.of(.number(1)), ValueDigest.of(.bool(true)),
            ValueDigest.of(.null), ValueDigest.of(.string("")), ValueDigest.of(.string("null")),
            ValueDigest.of(.number(0)), ValueDigest.of(.bool(false)), ValueDigest.of(.string("true")),
        ]
        #expect(Set(digests).count == digests.count)
    }

    @Test func negativeZeroIsZero() {
        #expect(ValueDigest.of(.number(-0.0)) == ValueDigest.of(.number(0.0)))
        #expect(ValueDigest.of(.number(-1)) != ValueDigest.of(.number(1)))
        #expect(ValueDigest.of(.number(.nan)) == ValueDigest.of(.number(-.nan)))
    }

    @Test func stringsDigestTheirBytes() {
        #expect(ValueDigest.of(.string("ab")) != ValueDigest.of(.string("ba")))
        // Canonically equivalent, but different bytes in Bookbag: different values.
        #expect(ValueDigest.of(.string("\u{E9}")) != ValueDigest.of(.string("e\u{301}")))
    }
}
