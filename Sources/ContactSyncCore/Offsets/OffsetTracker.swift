/// A topic and partition, the unit Kafka commits offsets for.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// Knows, per assigned partition, the highest offset below which every consumed
/// record has an acknowledged result. That offset, and only that, may be committed.
///
/// Records are registered in the order they are consumed (offsets rise within a
/// partition, possibly with gaps) and completed in any order. Each assignment of
/// a partition gets a new generation, so completions from work begun before a
/// revoke never advance a later assignment.
public struct OffsetTracker: Sendable {
    public struct Ticket: Sendable, Hashable {
        public var partition: TopicPartition
        public var offset: Int64
        public var generation: UInt64
    }

    private struct PartitionState: Sendable {
        var generation: UInt64
        /// Registered offsets not yet completed, ascending, with a completed flag.
        var pending: [(offset: Int64, done: Bool)] = []
        var head = 0  // index of the first live element of `pending`
        /// Next offset to commit: every offset below it has its result.
        var committable: Int64?
        var lastCommitted: Int64?
    }

    private var partitions: [TopicPartition: PartitionState] = [:]
    private var nextGeneration: UInt64 = 1

    public init() {}

    /// Starts tracking a newly assigned partition (a new generation).
    public mutating func assign(_ partition: TopicPartition) {
        partitions[partition] = PartitionState(generation: nextGeneration)
        nextGeneration += 1
    }

    /// Stops tracking revoked partitions; their late completions are ignored.
    public mutating func revoke(_ revoked: some Sequence<TopicPartition>) {
        for partition in revoked { partitions[partition] = nil }
    }

    public var assigned: [TopicPartition] { Array(partitions.keys) }

    /// Registers a consumed record; nil if its partition is not assigned.
    public mutating func register(_ partition: TopicPartition, offset: Int64) -> Ticket? {
        guard var state = partitions[partition] else { return nil }
        if let last = state.pending.last, state.head < state.pending.count, offset <= last.offset {
            return nil  // re-delivery of an offset already in flight: it is tracked already
        }
        state.pending.append((offset, false))
        partitions[partition] = state
        return Ticket(partition: partition, offset: offset, generation: state.generation)
    }

    /// Marks a record's result as acknowledged.
    public mutating func complete(_ ticket: Ticket) {
        guard var state = partitions[ticket.partition], state.generation == ticket.generation else { return }
        // Binary search the live window for the offset.
        var low = state.head
        var high = state.pending.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let offset = state.pending[mid].offset
            if offset == ticket.offset {
                state.pending[mid].done = true
                break
            } else if offset < ticket.offset {
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        while state.head < state.pending.count, state.pending[state.head].done {
            state.committable = state.pending[state.head].offset + 1
            state.head += 1
        }
        // Compact once the dead prefix dominates, keeping appends amortised O(1).
        if state.head > 1024, state.head * 2 > state.pending.count {
            state.pending.removeFirst(state.head)
            state.head = 0
        }
        partitions[ticket.partition] = state
    }

    /// Offsets that may be committed now and were not handed out before.
    public mutating func takeCommittable() -> [(TopicPartition, Int64)] {
        var out: [(TopicPartition, Int64)] = []
        for (partition, state) in partitions {
            if let next = state.committable, next != state.lastCommitted {
                out.append((partition, next))
                partitions[partition]?.lastCommitted = next
            }
        }
        return out
    }

    /// Offsets that may be committed for the given partitions (used on revoke).
    public func committable(for wanted: some Sequence<TopicPartition>) -> [(TopicPartition, Int64)] {
        wanted.compactMap { partition in
            partitions[partition]?.committable.map { (partition, $0) }
        }
    }

    /// Records consumed whose results are not acknowledged yet.
    public var outstanding: Int {
        partitions.values.reduce(0) { total, state in
            total + state.pending[state.head...].lazy.filter { !$0.done }.count
        }
    }
}
