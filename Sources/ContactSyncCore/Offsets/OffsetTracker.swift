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
    /// A registered record: its offset, and the assignment of its partition
    /// (`partition(of:)` names it). Two words and nothing to retain: a batch
    /// copies its tickets several times on its way.
    public struct Ticket: Sendable, Hashable {
        public var generation: UInt64
        public var offset: Int64
    }

    private struct PartitionState: Sendable {
        var generation: UInt64
        /// Registered offsets, ascending, each packed with its completed flag
        /// (`PendingOffset`: 8 bytes, not a 16-byte tuple); `head` is the first live element.
        var pending: [PendingOffset] = []
        var head = 0
        /// Next offset to commit: every offset below it has its result.
        var committable: Int64?
        var lastCommitted: Int64?

        var outstanding: Int { pending[head...].lazy.filter { !$0.done }.count }

        /// The generation, or nil for a re-delivery of an offset already in flight (it is tracked already).
        mutating func register(_ offset: Int64) -> UInt64? {
            if head < pending.count, let last = pending.last, offset <= last.offset { return nil }
            pending.append(PendingOffset(offset))
            return generation
        }

        /// True when the offset was live and not completed before.
        mutating func complete(_ offset: Int64) -> Bool {
            var low = head
            var high = pending.count - 1
            var found = false
            while low <= high {
                let mid = (low + high) / 2
                let candidate = pending[mid].offset
                if candidate == offset {
                    found = !pending[mid].done
                    pending[mid].markDone()
                    break
                } else if candidate < offset {
                    low = mid + 1
                } else {
                    high = mid - 1
                }
            }
            while head < pending.count, pending[head].done {
                committable = pending[head].offset + 1
                head += 1
            }
            // Compact once the dead prefix dominates, keeping appends amortised O(1). A
            // new array, not removeFirst: that keeps the capacity of the largest backlog
            // ever seen (heaptrack: 3.5 MB of offsets at 20,000 outstanding over six partitions).
            if head > 1024, head * 2 > pending.count {
                pending = Array(pending[head...])
                head = 0
            }
            return found
        }
    }

    /// A registered offset and whether its result is acknowledged, in one word:
    /// Kafka offsets are never negative, so the low bit is free after a shift.
    private struct PendingOffset: Sendable {
        private var bits: UInt64

        init(_ offset: Int64) {
            precondition(offset >= 0, "Kafka offsets are not negative")
            bits = UInt64(offset) << 1
        }

        var offset: Int64 { Int64(bits >> 1) }
        var done: Bool { bits & 1 == 1 }
        mutating func markDone() { bits |= 1 }
    }

    private typealias Index = [TopicPartition: PartitionState].Index
    private var partitions: [TopicPartition: PartitionState] = [:]
    /// Each assigned partition by the generation of its assignment.
    private var byGeneration: [UInt64: TopicPartition] = [:]
    /// The partition `register` or `complete` found last, and where: records
    /// come in runs of one partition, so most calls skip hashing the topic.
    /// Cleared whenever a partition is added or removed (that moves entries).
    private var lastFound: (partition: TopicPartition, generation: UInt64, index: Index)?
    private var nextGeneration: UInt64 = 1
    /// Registered and not completed, over all partitions; kept as a count
    /// because backpressure asks for it after every poll.
    public private(set) var outstanding = 0

    public init() {}

    /// Starts tracking a newly assigned partition (a new generation).
    public mutating func assign(_ partition: TopicPartition) {
        lastFound = nil
        if let previous = partitions[partition] {
            outstanding -= previous.outstanding
            byGeneration[previous.generation] = nil
        }
        partitions[partition] = PartitionState(generation: nextGeneration)
        byGeneration[nextGeneration] = partition
        nextGeneration += 1
    }

    /// Stops tracking revoked partitions; their late completions are ignored.
    public mutating func revoke(_ revoked: some Sequence<TopicPartition>) {
        lastFound = nil
        for partition in revoked {
            if let previous = partitions.removeValue(forKey: partition) {
                outstanding -= previous.outstanding
                byGeneration[previous.generation] = nil
            }
        }
    }

    public var assigned: [TopicPartition] { Array(partitions.keys) }

    /// Registers a consumed record; nil if its partition is not assigned.
    public mutating func register(_ partition: TopicPartition, offset: Int64) -> Ticket? {
        // Mutated in place through `values` at an index: a copy would duplicate
        // `pending` per record, and the optional subscript's accessor allocated
        // three times per call (heaptrack).
        guard let index = index(of: partition),
            let generation = partitions.values[index].register(offset)
        else { return nil }
        outstanding += 1
        return Ticket(generation: generation, offset: offset)
    }

    /// Marks a record's result as acknowledged.
    public mutating func complete(_ ticket: Ticket) {
        guard let index = index(of: ticket) else { return }
        if partitions.values[index].complete(ticket.offset) { outstanding -= 1 }
    }

    private mutating func index(of partition: TopicPartition) -> Index? {
        if let lastFound, lastFound.partition == partition { return lastFound.index }
        guard let index = partitions.index(forKey: partition) else { return nil }
        lastFound = (partition, partitions.values[index].generation, index)
        return index
    }

    /// Where the ticket's partition is, if it is still under the ticket's assignment.
    private mutating func index(of ticket: Ticket) -> Index? {
        if let lastFound, lastFound.generation == ticket.generation { return lastFound.index }
        guard let partition = byGeneration[ticket.generation], let index = partitions.index(forKey: partition) else { return nil }
        lastFound = (partition, ticket.generation, index)
        return index
    }

    /// The ticket's partition, while the assignment it was registered under lasts.
    public func partition(of ticket: Ticket) -> TopicPartition? {
        byGeneration[ticket.generation]
    }

    /// The generation of the partition's current assignment.
    public func generation(of partition: TopicPartition) -> UInt64? {
        partitions[partition]?.generation
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

    /// Whether the ticket's partition is still assigned under the ticket's generation.
    public func isLive(_ ticket: Ticket) -> Bool {
        byGeneration[ticket.generation] != nil
    }

    /// Whether every registered offset up to and including `targets[partition]`
    /// is completed (a partition no longer tracked counts as completed).
    public func isCompleted(through targets: [TopicPartition: Int64]) -> Bool {
        targets.allSatisfy { partition, last in
            guard let state = partitions[partition] else { return true }
            return (state.committable ?? Int64.min) > last
        }
    }

    /// Offsets that may be committed for the given partitions (used on revoke).
    public func committable(for wanted: some Sequence<TopicPartition>) -> [(TopicPartition, Int64)] {
        wanted.compactMap { partition in
            partitions[partition]?.committable.map { (partition, $0) }
        }
    }
}
