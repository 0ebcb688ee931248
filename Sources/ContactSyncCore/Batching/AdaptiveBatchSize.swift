/// How many records the consumer gathers before it hands a batch to the
/// pipeline, between `minimum` (`BATCH_MIN_EVENTS`) and `maximum`
/// (`BATCH_MAX_EVENTS`).
///
/// A batch that fills up while the pipeline is still busy with earlier ones
/// shows a backlog (catch-up, replay, burst, slow Bookbag): it would wait
/// anyway, so waiting for more records costs no latency, and each contact's
/// events fold into one update: fewer users sent, fewer requests. The target
/// doubles then. When the pipeline is idle when a batch closes on its deadline
/// (`BATCH_MAX_WAIT_MS`) before filling, the stream is quiet: the target halves,
/// back towards `minimum`, so a quiet stream keeps small batches. A batch that
/// fills while the pipeline waits for it keeps the target: the pipeline keeps up.
///
/// Multiplicative both ways: a catch-up reaches the ceiling in a few batches
/// (500 -> 5,000 in four), and latency recovers as fast once it ends.
///
/// Memory bounds the window too: a batch that closes while the process is over
/// its memory target (`MEMORY_TARGET_MB`) halves the target, and nothing grows
/// it until memory is back under. Folding gains most where few customers
/// repeat their events often; where many customers each send a few, a large
/// batch gains little and holds many contacts, and memory says so first.
public struct AdaptiveBatchSize: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    public private(set) var target: Int

    /// Why a batch was handed over.
    public enum Closing: Sendable {
        /// It reached the target.
        case full
        /// Its first record had waited `BATCH_MAX_WAIT_MS`.
        case deadline
    }

    /// Both are at least 1, and a `minimum` above `maximum` comes down to it
    /// (the maximum is the promise); the target starts at `minimum`.
    public init(minimum: Int, maximum: Int) {
        self.maximum = max(maximum, 1)
        self.minimum = min(max(minimum, 1), self.maximum)
        target = self.minimum
    }

    /// Adapts the target to a batch just handed over. `pipelineBusy`: the
    /// pipeline was not waiting for it (it still works on, or holds, earlier
    /// batches). `memoryHigh`: the process is over its memory target.
    public mutating func batchClosed(_ closing: Closing, pipelineBusy: Bool, memoryHigh: Bool = false) {
        if memoryHigh {
            target = max(target / 2, minimum)
            return
        }
        switch (closing, pipelineBusy) {
        case (.full, true):
            target = target > maximum / 2 ? maximum : target * 2
        case (.deadline, false):
            target = max(target / 2, minimum)
        case (.full, false), (.deadline, true):
            break
        }
    }
}
