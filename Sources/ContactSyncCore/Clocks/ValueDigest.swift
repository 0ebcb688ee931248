/// A stable 64-bit digest of an attribute value: FNV-1a 64 over a type tag and
/// a canonical encoding of the payload. Stable across processes, runs and
/// machines (Swift's `Hasher` is seeded per process, so it cannot be used for
/// digests that are stored and compared later).
///
/// Encoding: `null` is the tag 0; a bool is the tag 1 then 0 or 1; a number is
/// the tag 2 then the little-endian bit pattern of the Double (-0.0 as 0.0,
/// every NaN as the one canonical NaN); a string is the tag 3 then its UTF-8
/// bytes. So `"1"`, `1` and `true` differ.
public enum ValueDigest {
    public static func of(_ value: AttributeValue) -> UInt64 {
        var hash = FNV1a64()
        switch value {
        case .null:
            hash.add(Tag.null)
        case .bool(let flag):
            hash.add(Tag.bool)
            hash.add(flag ? 1 : 0)
        case .number(let number):
            hash.add(Tag.number)
            var bits = canonicalBits(number)
            for _ in 0..<8 {
                hash.add(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        case .string(let text):
            hash.add(Tag.string)
            for byte in text.utf8 { hash.add(byte) }
        }
        return hash.value
    }

    /// Equal numbers give equal bits: 0.0 and -0.0 compare equal, and NaN (which
    /// JSON cannot carry) has one form.
    static func canonicalBits(_ number: Double) -> UInt64 {
        if number == 0 { return 0 }
        if number.isNaN { return Double.nan.bitPattern }
        return number.bitPattern
    }

    private enum Tag {
        static let null: UInt8 = 0
        static let bool: UInt8 = 1
        static let number: UInt8 = 2
        static let string: UInt8 = 3
    }
}

/// The 64-bit Fowler–Noll–Vo hash, variant 1a.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
}
