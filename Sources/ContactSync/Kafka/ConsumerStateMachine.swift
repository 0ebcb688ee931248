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
    /// A rebalance callback came (for readiness).
    private(set) var hasJoinedGroup = false
    private(set) var tracker = OffsetTracker()
    /// Batches not yet handed out, oldest first. A batch leaves the array as it
    /// is handed out: the poll thread usually delivers the next one before the
    /// pipeline takes this one, so the array is rarely empty, and a consumed
    /// prefix kept behind an index would hold every record of the backlog.
    private(set) var ready: [RecordBatch] = []
    private var waiter: CheckedContinuation<RecordBatch?, Never>?
    /// Counts parks, so that a wait's timer expires only the wait it was set for.
    private(set) var parkCount: UInt64 = 0
    /// Partitions currently paused by backpressure.
    private(set) var paused: Set<TopicPartition> = []
    /// When the current stall began (monotonic nanoseconds), if the pipeline is behind.
    private var heldSince: UInt64?
    /// Fetching held or paused for backpressure since the last delivery (see `isInBacklog`).
    private var heldSinceDelivery = false
    let holdBeforePausingNanos: UInt64

    let maxReadyBatches: Int
    let maxOutstandingRecords: Int

    /// The highest offset handed to the pipeline per partition: what a revoke
    /// waits for, so that no record of a partition is still being decided here
    /// once another replica owns it.
    private var handedOut: [TopicPartition: Int64] = [:]
    /// Counts assignments; a batch carries the count at its delivery, so the
    /// pipeline knows when it holds records of newly assigned partitions.
    private(set) var assignmentEpoch: UInt64 = 0
    /// A revoke happened since the last delivery: the batch being filled may
    /// hold records of partitions no longer ours.
    private var revokedSinceDelivery = false

    /// How many records the batch being filled may take (it grows while the pipeline is behind).
    private(set) var batchSize: AdaptiveBatchSize
    /// The process is over its memory target (`MEMORY_TARGET_MB`), as last sampled.
    private(set) var memoryHigh = false

    init(
        maxReadyBatches: Int, maxOutstandingRecords: Int, batchSize: AdaptiveBatchSize = AdaptiveBatchSize(minimum: 500, maximum: 500),
        holdBeforePausingNanos: UInt64 = 1_000_000_000
    ) {
        self.batchSize = batchSize
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

    /// Hands over a closed batch (to the waiting pipeline, else to the ready
    /// queue) and adapts the size of the next one to whether the pipeline was waiting.
    mutating func deliver(_ batch: RecordBatch, closing: AdaptiveBatchSize.Closing) -> DeliverAction {
        guard phase == .running else { return .dropped }
        batchSize.batchClosed(closing, pipelineBusy: waiter == nil, memoryHigh: memoryHigh)
        heldSinceDelivery = false
        var batch = batch
        batch.assignmentEpoch = assignmentEpoch
        if revokedSinceDelivery {
            revokedSinceDelivery = false
            batch.removeRecords { !tracker.isLive($1) }
            if batch.records.isEmpty { return .dropped }
        }
        if let waiter {
            self.waiter = nil
            noteHandedOut(batch)
            return .resume(waiter, batch)
        }
        ready.append(batch)
        return .queued
    }

    /// Records the latest memory sample: over the target or not.
    mutating func noteMemory(high: Bool) {
        memoryHigh = high
    }

    /// Whether fetching must stop for now: batches are waiting to be processed,
    /// too many records await their results (Bookbag slow or down), or memory
    /// is over its target while handed-out records are in flight (their
    /// acknowledgements free it). `filling`: records of the batch the poll
    /// thread is filling, registered but not handed out; holding for them would
    /// wait for results that cannot come, so with nothing else in flight
    /// fetching goes on: the service never stalls on memory it cannot free.
    func needsBackpressure(filling: Int = 0) -> Bool {
        readyCount >= maxReadyBatches || tracker.outstanding >= maxOutstandingRecords
            || (memoryHigh && tracker.outstanding > filling)
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
    mutating func fetchAction(now: UInt64, filling: Int = 0) -> FetchAction {
        if phase == .running && !needsBackpressure(filling: filling) {
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
            heldSinceDelivery = true
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
        if !partitions.isEmpty { assignmentEpoch += 1 }
        lagAssigned.formUnion(partitions)
        lagRevoked.subtract(partitions)
    }

    /// Partitions assigned and revoked since the last call, for the lag metric.
    mutating func takeAssignmentChanges() -> (assigned: [TopicPartition], revoked: [TopicPartition]) {
        if lagAssigned.isEmpty && lagRevoked.isEmpty { return ([], []) }
        defer { lagAssigned = []; lagRevoked = [] }
        return (Array(lagAssigned), Array(lagRevoked))
    }

    /// First step of a revoke: queued records of these partitions are dropped
    /// (the next owner reads them again). Returns, per partition, the last
    /// offset already handed to the pipeline: the revoke waits until those are
    /// decided and acknowledged, unless the consumer is closing (the pipeline
    /// has stopped then).
    mutating func beginRevoke(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let gone = Set(partitions.compactMap { tracker.generation(of: $0) })
        for index in ready.indices {
            ready[index].removeRecords { gone.contains($1.generation) }
        }
        ready.removeAll { $0.records.isEmpty }
        revokedSinceDelivery = true
        guard phase == .running || phase == .draining else { return [:] }
        var targets: [TopicPartition: Int64] = [:]
        for partition in partitions {
            if let last = handedOut[partition] { targets[partition] = last }
        }
        return targets
    }

    /// Whether every record handed out up to these offsets has its result acknowledged.
    func isDecided(through targets: [TopicPartition: Int64]) -> Bool {
        tracker.isCompleted(through: targets)
    }

    /// Last step of a revoke: what may be committed for those partitions.
    mutating func revoked(_ partitions: [TopicPartition]) -> [(TopicPartition, Int64)] {
        let committable = tracker.committable(for: partitions)
        let goneAssignments = Set(partitions.compactMap { tracker.generation(of: $0) })
        tracker.revoke(partitions)
        let gone = Set(partitions)
        for partition in partitions { handedOut[partition] = nil }
        for index in ready.indices {
            ready[index].removeRecords { goneAssignments.contains($1.generation) }
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
        if !ready.isEmpty {
            let batch = ready.removeFirst()
            noteHandedOut(batch)
            return .batch(batch)
        }
        return .wait
    }

    private mutating func noteHandedOut(_ batch: RecordBatch) {
        // Records of one partition rise in offset: keep the last of each. They
        // come in runs of one partition, so only a run's end is looked up.
        var index = batch.tickets.count - 1
        var seen: Set<UInt64> = []
        var previous: UInt64?
        while index >= 0 {
            let ticket = batch.tickets[index]
            if ticket.generation != previous {
                previous = ticket.generation
                if seen.insert(ticket.generation).inserted, let partition = tracker.partition(of: ticket) {
                    handedOut[partition] = ticket.offset
                }
            }
            index -= 1
        }
    }

    mutating func park(_ continuation: CheckedContinuation<RecordBatch?, Never>) -> CheckedContinuation<RecordBatch?, Never>? {
        if phase != .running || !ready.isEmpty { return continuation }  // caller resumes it now
        waiter = continuation
        parkCount += 1
        return nil
    }

    /// The waiter of park number `park`, to be resumed with nil, if it still
    /// waits: a bounded wait (`KafkaConsumer.nextBatch(within:)`) is over.
    mutating func expireWait(park: UInt64) -> CheckedContinuation<RecordBatch?, Never>? {
        guard park == parkCount, let waiter else { return nil }
        self.waiter = nil
        return waiter
    }

    /// Records are waiting for the pipeline, so the next batch is near: recent
    /// batches filled while it was busy (the size is above its minimum), or
    /// fetching held for backpressure since the last batch was delivered (the
    /// pipeline's own backlog, not a quiet stream, keeps the next one back).
    var isInBacklog: Bool { batchSize.target > batchSize.minimum || heldSinceDelivery }

    /// The backlog has grown the batch size to its ceiling (and the bounds
    /// differ: equal bounds ask for a fixed size): a catch-up or replay, not a
    /// burst. The pipeline then holds newly seen contacts back for one batch.
    var isAtBatchCeiling: Bool { batchSize.maximum > batchSize.minimum && batchSize.target == batchSize.maximum }

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

    mutating func joinedGroup() { hasJoinedGroup = true }
}

/// Records handed to the pipeline together, each with its offset ticket.
public struct RecordBatch: Sendable {
    public var records: [KafkaRecord]
    /// Parallel to `records`.
    public var tickets: [OffsetTracker.Ticket]
    /// The consumer's assignment count when the batch was delivered (see
    /// `ConsumerStateMachine.assignmentEpoch`).
    public var assignmentEpoch: UInt64 = 0

    public init(records: [KafkaRecord], tickets: [OffsetTracker.Ticket], assignmentEpoch: UInt64 = 0) {
        self.records = records
        self.tickets = tickets
        self.assignmentEpoch = assignmentEpoch
    }

    /// Gives the records from `start` on (just polled into the batch) their
    /// tickets, and drops those `register` refuses (partitions no longer ours).
    mutating func register(from start: Int, _ register: (KafkaRecord) -> OffsetTracker.Ticket?) {
        var kept = start
        for index in start..<records.count {
            guard let ticket = register(records[index]) else { continue }
            if kept != index { records.swapAt(kept, index) }
            tickets.append(ticket)
            kept += 1
        }
        records.removeSubrange(kept...)
    }

    /// Removes the records `drop` picks, handing each to `removed` first. In
    /// place: the records that stay move down in order (moves, not copies).
    mutating func removeRecords(
        where drop: (KafkaRecord, OffsetTracker.Ticket) -> Bool,
        removed: (KafkaRecord, OffsetTracker.Ticket) -> Void = { _, _ in }
    ) {
        var kept = 0
        for index in records.indices {
            if drop(records[index], tickets[index]) {
                removed(records[index], tickets[index])
            } else {
                if kept != index {
                    records.swapAt(kept, index)
                    tickets.swapAt(kept, index)
                }
                kept += 1
            }
        }
        records.removeSubrange(kept...)
        tickets.removeSubrange(kept...)
    }
}
