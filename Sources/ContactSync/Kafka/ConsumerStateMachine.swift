import ContactSyncCore

/// The consumer's state, kept as a value inside one lock. The poll thread and
/// the pipeline call its mutating methods and perform the actions they return.
struct ConsumerStateMachine {
    enum Phase: Equatable {
        /// Fetching and handing out batches.
        case running
        /// Shutdown began: nothing new is handed out; the pipeline finishes what it holds.
        case draining
        /// The poll thread should commit, leave the group and exit.
        case closing
        case closed
    }

    private(set) var phase: Phase = .running
    private(set) var tracker = OffsetTracker()
    /// Batches not yet handed out, oldest first. A batch leaves the array as it
    /// is handed out: the poll thread usually delivers the next one before the
    /// pipeline takes this one, so the array is rarely empty, and a consumed
    /// prefix kept behind an index would hold every record of the backlog.
    private(set) var ready: [RecordBatch] = []
    private var waiter: CheckedContinuation<RecordBatch?, Never>?
    /// Partitions currently paused by backpressure.
    private(set) var paused: Set<TopicPartition> = []
    /// When the current stall began (monotonic nanoseconds), if the pipeline is behind.
    private var heldSince: UInt64?
    let holdBeforePausingNanos: UInt64

    let maxReadyBatches: Int
    let maxOutstandingRecords: Int

    init(maxReadyBatches: Int, maxOutstandingRecords: Int, holdBeforePausingNanos: UInt64 = 1_000_000_000) {
        self.maxReadyBatches = maxReadyBatches
        self.maxOutstandingRecords = maxOutstandingRecords
        self.holdBeforePausingNanos = holdBeforePausingNanos
    }

    var readyCount: Int { ready.count }

    // MARK: poll thread

    /// Registers a consumed record; nil when its partition is no longer ours.
    mutating func register(_ record: KafkaRecord) -> OffsetTracker.Ticket? {
        guard phase == .running else { return nil }
        return tracker.register(record.topicPartition, offset: record.offset)
    }

    enum DeliverAction {
        case resume(CheckedContinuation<RecordBatch?, Never>, RecordBatch)
        case queued
        case dropped
    }

    mutating func deliver(_ batch: RecordBatch) -> DeliverAction {
        guard phase == .running else { return .dropped }
        if let waiter {
            self.waiter = nil
            return .resume(waiter, batch)
        }
        ready.append(batch)
        return .queued
    }

    /// Whether fetching must stop for now: batches are waiting to be processed,
    /// or too many records await their results (Bookbag slow or down).
    var needsBackpressure: Bool {
        readyCount >= maxReadyBatches || tracker.outstanding >= maxOutstandingRecords
    }

    enum FetchAction: Equatable {
        /// Poll, after pausing or resuming these partitions.
        case poll(pause: [TopicPartition], resume: [TopicPartition])
        /// Do not poll for now: the pipeline is briefly behind.
        case hold
    }

    /// Decides whether to poll now, and which partitions to pause or resume first.
    ///
    /// A short stall only holds off polling: librdkafka keeps what it prefetched
    /// (bounded by `queued.max.messages.kbytes`). Pausing drops that prefetch and
    /// the fetcher starts over on resume, which costs about a second, so
    /// partitions are paused only once the stall has lasted `holdBeforePausingNanos`;
    /// from then on polling goes on (callbacks, group membership) without records.
    mutating func fetchAction(now: UInt64) -> FetchAction {
        if phase == .running && !needsBackpressure {
            // The common case, once per poll burst: no set building.
            heldSince = nil
            if paused.isEmpty { return .poll(pause: [], resume: []) }
            let toResume = paused.intersection(tracker.assigned)
            paused = []
            return .poll(pause: [], resume: Array(toResume))
        }
        let assigned = Set(tracker.assigned)
        paused.formIntersection(assigned)
        if phase == .running {
            let since = heldSince ?? now
            heldSince = since
            if paused.isEmpty && now &- since < holdBeforePausingNanos { return .hold }
        }
        let toPause = assigned.subtracting(paused)
        paused.formUnion(toPause)
        return .poll(pause: Array(toPause), resume: [])
    }

    /// Assignment changes the lag metric has not followed yet (taken by the poll thread).
    private var lagAssigned: Set<TopicPartition> = []
    private var lagRevoked: Set<TopicPartition> = []

    mutating func assigned(_ partitions: [TopicPartition]) {
        for partition in partitions { tracker.assign(partition) }
        lagAssigned.formUnion(partitions)
        lagRevoked.subtract(partitions)
    }

    /// Partitions assigned and revoked since the last call, for the lag metric.
    mutating func takeAssignmentChanges() -> (assigned: [TopicPartition], revoked: [TopicPartition]) {
        if lagAssigned.isEmpty && lagRevoked.isEmpty { return ([], []) }
        defer { lagAssigned = []; lagRevoked = [] }
        return (Array(lagAssigned), Array(lagRevoked))
    }

    /// On revoke: what may be committed for those partitions; queued records of
    /// theirs are dropped (the next owner reads them again).
    mutating func revoked(_ partitions: [TopicPartition]) -> [(TopicPartition, Int64)] {
        let committable = tracker.committable(for: partitions)
        tracker.revoke(partitions)
        let gone = Set(partitions)
        for index in ready.indices {
            ready[index].removeRecords(of: gone)
        }
        paused.subtract(gone)
        lagAssigned.subtract(gone)
        lagRevoked.formUnion(gone)
        return committable
    }

    mutating func takeCommittable() -> [(TopicPartition, Int64)] { tracker.takeCommittable() }

    // MARK: pipeline

    enum NextAction {
        case batch(RecordBatch)
        case finished
        case wait
    }

    mutating func next() -> NextAction {
        if phase != .running { return .finished }
        // Short (fetching stops at `maxReadyBatches`): removing the first is cheap.
        if !ready.isEmpty { return .batch(ready.removeFirst()) }
        return .wait
    }

    mutating func park(_ continuation: CheckedContinuation<RecordBatch?, Never>) -> CheckedContinuation<RecordBatch?, Never>? {
        if phase != .running || !ready.isEmpty { return continuation }  // caller resumes it now
        waiter = continuation
        return nil
    }

    mutating func complete(_ tickets: some Sequence<OffsetTracker.Ticket>) {
        for ticket in tickets { tracker.complete(ticket) }
    }

    /// Stop handing out batches; a waiting `next` gets nil.
    mutating func beginDraining() -> CheckedContinuation<RecordBatch?, Never>? {
        guard phase == .running else { return nil }
        phase = .draining
        ready.removeAll()
        defer { waiter = nil }
        return waiter
    }

    mutating func beginClosing() -> CheckedContinuation<RecordBatch?, Never>? {
        let waiter = beginDraining()
        if phase == .draining { phase = .closing }
        return waiter
    }

    mutating func markClosed() { phase = .closed }
}

/// Records handed to the pipeline together, each with its offset ticket.
public struct RecordBatch: Sendable {
    public var records: [KafkaRecord]
    /// Parallel to `records`.
    public var tickets: [OffsetTracker.Ticket]

    mutating func removeRecords(of partitions: Set<TopicPartition>) {
        var keptRecords: [KafkaRecord] = []
        var keptTickets: [OffsetTracker.Ticket] = []
        for (record, ticket) in zip(records, tickets) where !partitions.contains(ticket.partition) {
            keptRecords.append(record)
            keptTickets.append(ticket)
        }
        records = keptRecords
        tickets = keptTickets
    }
}
