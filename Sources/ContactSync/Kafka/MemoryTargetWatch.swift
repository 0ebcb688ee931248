/// The poll thread's view of `MEMORY_TARGET_MB`: samples resident memory at
/// most every 20 ms (a batch fills in tens of milliseconds at full speed) for
/// its gauge, and reports when it crosses the target, if one is set, either way.
struct MemoryTargetWatch {
    let targetBytes: Int?
    private let resident: ResidentMemory
    private var nextSample: UInt64 = 0
    private var high = false
    private var nextLog: UInt64 = 0
    private static let sampleEveryNanos: UInt64 = 20_000_000
    private static let logEveryNanos: UInt64 = 60_000_000_000

    /// Nil where resident memory cannot be read (no `/proc`).
    init?(targetBytes: Int?) {
        guard let resident = ResidentMemory() else { return nil }
        self.targetBytes = targetBytes
        self.resident = resident
    }

    /// A crossing of the target since the last sample, if it is time to sample.
    mutating func sample(now: UInt64, metrics: ConsumerMetrics) -> (high: Bool, bytes: Int)? {
        guard now >= nextSample else { return nil }
        nextSample = now + Self.sampleEveryNanos
        guard let bytes = resident.sample() else { return nil }
        let isHigh = targetBytes.map { bytes > $0 } ?? false
        metrics.memory(resident: bytes, overTarget: isHigh)
        guard isHigh != high else { return nil }
        high = isHigh
        return (isHigh, bytes)
    }

    /// Once a minute at most: a service that sits at its target would say so at every batch.
    mutating func shouldLog(now: UInt64) -> Bool {
        guard now >= nextLog else { return false }
        nextLog = now + Self.logEveryNanos
        return true
    }
}
