/// A Bloom filter over keys, of fixed size: `mayContain` is false only for a
/// key never inserted, so a store can answer "no clocks" for such a key
/// without reading (or waiting for the writes queued before the read).
///
/// Its memory does not grow with the keys; false positives do. With the
/// default 2^23 bits (1 MiB) and 5 probes: 0.02% at 100,000 keys, 1.8% at
/// 1,000,000, 32% at 5,000,000. A false positive costs only the read the store
/// would do without the filter. Keys are never removed (the store never
/// forgets a contact), so the filter never needs to.
public struct KeyPresenceFilter: Sendable {
    public static let defaultBits = 1 << 23
    public static let defaultProbes = 5

    private var words: [UInt64]
    private let mask: UInt64
    private let probes: Int
    /// Insertions so far (a key inserted twice counts twice).
    public private(set) var insertions = 0

    /// `bits` is rounded up to a power of two (at least 64).
    public init(bits: Int = Self.defaultBits, probes: Int = Self.defaultProbes) {
        precondition(bits > 0 && probes > 0, "a filter needs bits and probes")
        var size = 64
        while size < bits { size <<= 1 }
        words = Array(repeating: 0, count: size / 64)
        mask = UInt64(size - 1)
        self.probes = probes
    }

    /// True when the key was certainly absent before (some probe's bit was
    /// clear): no key inserted earlier equals it.
    @discardableResult
    public mutating func insert(_ key: String) -> Bool {
        var (position, step) = Self.hashes(key)
        var wasAbsent = false
        for _ in 0..<probes {
            let bit = position & mask
            let word = Int(bit >> 6)
            let flag: UInt64 = 1 << (bit & 63)
            if words[word] & flag == 0 {
                wasAbsent = true
                words[word] |= flag
            }
            position &+= step
        }
        insertions += 1
        return wasAbsent
    }

    public func mayContain(_ key: String) -> Bool {
        var (position, step) = Self.hashes(key)
        for _ in 0..<probes {
            let bit = position & mask
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
            position &+= step
        }
        return true
    }

    /// Two independent-enough hashes of the key's UTF-8 (FNV-1a 64, then two
    /// splitmix64 finalisers); probe i is h1 + i*h2 (Kirsch and Mitzenmacher,
    /// "Less hashing, same performance", 2006). h2 is odd, so probes differ.
    private static func hashes(_ key: String) -> (UInt64, UInt64) {
        var hash = FNV1a64()
        for byte in key.utf8 { hash.add(byte) }
        let first = mix(hash.value)
        return (first, mix(first ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
