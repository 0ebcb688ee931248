/// A batch's upsert runs as two child tasks of the consuming loop: the
/// contacts that were free at once (part 0), and those that waited for the
/// batch before (part 1). Children end in any order; this keeps the parts
/// that ended before their batch is finished, and joins a batch's parts in
/// order.
struct UpsertParts: Sendable {
    struct Part: Sendable {
        let batch: UInt64
        let index: Int
        /// Nil when the upsert stopped before deciding every contact (cancelled).
        let upserted: BatchProcessor.Upserted?
    }

    private var lastBatch: UInt64 = 0
    private var ended: [UInt64: [Int: BatchProcessor.Upserted?]] = [:]

    /// The number for the next batch's parts.
    mutating func nextBatch() -> UInt64 {
        lastBatch += 1
        return lastBatch
    }

    /// Waits until `count` parts of `batch` have ended; returns them joined in
    /// order, or nil if any was cancelled (or the group is empty: cancelled too).
    mutating func collect(batch: UInt64, count: Int, from group: inout TaskGroup<Part>) async -> BatchProcessor.Upserted? {
        while (ended[batch]?.count ?? 0) < count {
            guard let part = await group.next() else { return nil }
            ended[part.batch, default: [:]][part.index] = part.upserted
        }
        let parts = ended.removeValue(forKey: batch) ?? [:]
        var joined = BatchProcessor.Upserted()
        for index in 0..<count {
            guard let part = parts[index], let upserted = part else { return nil }
            joined = joined + upserted
        }
        return joined
    }
}
