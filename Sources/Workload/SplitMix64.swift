/// A small seeded generator (Steele, Lea and Flood's SplitMix64). The workload
/// must be the same for a seed on every machine and Swift version, so it uses
/// its own draws rather than the standard library's `random(in:using:)`.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [0, bound) by a widening multiply; the bias (bound / 2^64) is negligible here.
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    mutating func chance(_ probability: Double) -> Bool {
        nextUnit() < probability
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[next(below: choices.count)]
    }
}
