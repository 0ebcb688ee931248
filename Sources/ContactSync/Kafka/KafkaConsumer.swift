import ContactSyncCore
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// Settings the consumer needs (a slice of `ContactSyncConfiguration`).
public struct KafkaConsumerSettings: Sendable {
    public var properties: RDKafkaConfig
    public var topics: [String]
    /// Bounds of the adaptive batch size (`BATCH_MIN_EVENTS`, `BATCH_MAX_EVENTS`).
    public var batchMinEvents: Int
    public var batchMaxEvents: Int
    public var batchMaxWait: Duration
    /// Batches fetched but not yet taken by the pipeline before fetching pauses.
    public var maxReadyBatches: Int
    /// Records consumed whose results are not acknowledged, before fetching pauses.
    public var maxOutstandingRecords: Int
    /// Resident memory above which batches shrink and fetching holds while
    /// records are in flight (`MEMORY_TARGET_MB`); nil: none.
    public var memoryTargetBytes: Int? = nil
    /// How long a revoke waits for the records already handed to the pipeline
    /// to be decided and acknowledged before it lets the partitions go.
    public var revokeDrainTimeout: Duration = .seconds(30)
}

/// The Kafka side of the pipeline: a consumer-group member whose blocking
/// librdkafka calls run on one dedicated thread. It hands out batches (the
/// adaptive size or `BATCH_MAX_WAIT_MS`, whichever first), pauses fetching
/// when the pipeline falls behind, and commits offsets once results are acknowledged.
public final class KafkaConsumer: Sendable {
    private let settings: KafkaConsumerSettings
    private let logger: Logger
    private let handle: RDKafkaConsumerHandle
    private let stateBox: ConsumerStateBox
    private let pollThread = DedicatedThread(name: "kafka-consumer-poll")
    private let metrics: ConsumerMetrics
    private let broker: BrokerReachability

    public init(settings: KafkaConsumerSettings, logger: Logger, metrics: ServiceMetrics, broker: BrokerReachability) throws {
        try RDKafkaVersion.requireSupported()
        self.settings = settings
        self.logger = logger
        self.metrics = ConsumerMetrics(metrics)
        self.broker = broker
        let stateBox = ConsumerStateBox(
            ConsumerStateMachine(
                maxReadyBatches: settings.maxReadyBatches, maxOutstandingRecords: settings.maxOutstandingRecords,
                batchSize: AdaptiveBatchSize(minimum: settings.batchMinEvents, maximum: settings.batchMaxEvents)))
        self.stateBox = stateBox
        let callbacks = RDKafkaCallbacks(
            logger: logger,
            onRebalance: { [logger] event in
                // Runs on the poll thread, inside rd_kafka_consumer_poll.
                stateBox.mutex.withLock { $0.joinedGroup() }
                return KafkaConsumer.handleRebalance(
                    event, state: stateBox, drainTimeout: settings.revokeDrainTimeout, logger: logger)
            },
            onError: { [logger] message, isFatal in
                if message.contains("brokers are down") { broker.markUnreachable() }
                if isFatal {
                    logger.critical("Kafka consumer error: \(message)")
                } else {
                    logger.warning("Kafka consumer error: \(message)")
                }
            })
        handle = try RDKafkaConsumerHandle(config: settings.properties, callbacks: callbacks)
    }

    /// Subscribes and starts the poll thread.
    public func start() throws {
        try handle.subscribe(settings.topics)
        pollThread.start { [self] in self.pollLoop() }
    }

    /// The next batch, or nil once shutdown began.
    public func nextBatch() async -> RecordBatch? {
        await waitForBatch(timeout: nil)
    }

    /// The next batch if one comes within `limit`; `.wait` when none did.
    func nextBatch(within limit: Duration) async -> ConsumerStateMachine.NextAction {
        if let batch = await waitForBatch(timeout: limit) { return .batch(batch) }
        return stateBox.mutex.withLock { $0.phase == .running } ? .wait : .finished
    }

    /// The next batch; nil once shutdown began or, with a `timeout`, when none came within it.
    private func waitForBatch(timeout: Duration?) async -> RecordBatch? {
        switch stateBox.mutex.withLock({ $0.next() }) {
        case .batch(let batch): return batch
        case .finished: return nil
        case .wait: break
        }
        let timer = Mutex<Task<Void, Never>?>(nil)
        defer { timer.withLock { $0?.cancel() } }
        return await withCheckedContinuation { continuation in
            let (resumeNow, park) = stateBox.mutex.withLock { state in (state.park(continuation), state.parkCount) }
            if let resumeNow {
                let next = stateBox.mutex.withLock { $0.next() }
                if case .batch(let batch) = next { resumeNow.resume(returning: batch) } else { resumeNow.resume(returning: nil) }
                return
            }
            guard let timeout else { return }
            timer.withLock { [stateBox] in
                $0 = Task {
                    // Cancelled: a batch came (or shutdown) first.
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    stateBox.mutex.withLock { $0.expireWait(park: park) }?.resume(returning: nil)
                }
            }
        }
    }

    /// Records wait for the pipeline, so the next batch is near (see `ConsumerStateMachine.isInBacklog`).
    var isInBacklog: Bool { stateBox.mutex.withLock { $0.isInBacklog } }

    /// The backlog keeps batches at their largest (see `ConsumerStateMachine.isAtBatchCeiling`).
    var isAtBatchCeiling: Bool { stateBox.mutex.withLock { $0.isAtBatchCeiling } }

    /// The next batch if one is ready, without waiting.
    func readyBatch() -> ConsumerStateMachine.NextAction {
        stateBox.mutex.withLock { $0.next() }
    }

    /// Results for these records are acknowledged by the broker: their offsets may be committed.
    public func markDone(_ tickets: some Sequence<OffsetTracker.Ticket>) {
        stateBox.mutex.withLock { $0.complete(tickets) }
    }

    /// Stop handing out batches (the pipeline finishes what it holds).
    public func stopFetching() {
        stateBox.mutex.withLock { $0.beginDraining() }?.resume(returning: nil)
    }

    /// Commits what has results, leaves the group, and ends the poll thread.
    public func close() async {
        stateBox.mutex.withLock { $0.beginClosing() }?.resume(returning: nil)
        await pollThread.ended()
    }

    /// Started and not closed: the poll thread runs.
    public var isConsuming: Bool { pollThread.isRunning }

    /// A rebalance callback came: the group has taken this member in.
    public var hasJoinedGroup: Bool { stateBox.mutex.withLock { $0.hasJoinedGroup } }

    public var assignment: [TopicPartition] { stateBox.mutex.withLock { $0.tracker.assigned } }

    /// Partitions paused by backpressure (for readiness reports and tests).
    public var pausedPartitions: Set<TopicPartition> { stateBox.mutex.withLock { $0.paused } }

    // MARK: - poll thread

    /// Records taken from librdkafka's queue per state-machine round trip.
    private static let burstLimit = 512
    /// A burst's keys and values share one buffer; it closes past this many bytes.
    private static let burstByteLimit = 1 << 20

    private func pollLoop() {
        var batchTarget = stateBox.mutex.withLock { $0.batchSize.target }
        metrics.batchTarget(batchTarget)
        var current = RecordBatch(records: [], tickets: [])
        current.records.reserveCapacity(batchTarget)
        var batchDeadline: UInt64 = 0
        let maxWaitNanos = UInt64(settings.batchMaxWait.components.seconds) * 1_000_000_000
            + UInt64(settings.batchMaxWait.components.attoseconds / 1_000_000_000)
        var nextLagReport: UInt64 = 0
        var memory = MemoryTargetWatch(targetBytes: settings.memoryTargetBytes)

        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if let change = memory?.sample(now: now, metrics: metrics) {
                stateBox.mutex.withLock { $0.noteMemory(high: change.high) }
                if change.high, memory?.shouldLog(now: now) == true {
                    logger.notice("resident memory \(change.bytes >> 20) MB is over MEMORY_TARGET_MB (\((memory?.targetBytes ?? 0) >> 20)): batches shrink and fetching holds until results free memory")
                }
            }
            let (phase, action) = stateBox.mutex.withLock { state in (state.phase, state.fetchAction(now: now, filling: current.records.count)) }
            if phase == .closing { break }
            switch action {
            case .hold:
                // The pipeline takes a batch every few tens of milliseconds when it is merely busy.
                usleep(1_000)
                commitCompleted()
                continue
            case .poll(let pause, let resume):
                if !pause.isEmpty {
                    handle.pause(pause)
                    if phase == .running { logger.warning("pipeline behind for over a second: paused \(pause.count) partition(s)") }
                }
                if !resume.isEmpty {
                    handle.resume(resume)
                    logger.info("resumed \(resume.count) partition(s)")
                }
            }

            // The first poll may wait; the rest of the burst takes only what is already fetched.
            var timeoutMs: Int32 = 100
            if !current.records.isEmpty {
                timeoutMs = batchDeadline > now ? Int32(min(100, (batchDeadline - now) / 1_000_000)) : 0
            }
            let room = min(Self.burstLimit, max(1, batchTarget - current.records.count))
            // Straight into the batch: a record is not copied (and retained) again.
            let burstStart = current.records.count
            if let message = handle.pollBurst(into: &current.records, limit: room, timeoutMs: timeoutMs, maxBytes: Self.burstByteLimit) {
                logger.warning("Kafka consumer: \(message)")
            }
            if current.records.count > burstStart {
                if !broker.isReachable { broker.markReachable() }
                metrics.consumed(current.records[burstStart...])
                if burstStart == 0 { batchDeadline = current.records[0].consumedAtNanos + maxWaitNanos }
                stateBox.mutex.withLock { state in current.register(from: burstStart) { state.register($0) } }
            }

            followAssignmentChanges()
            let afterPoll = DispatchTime.now().uptimeNanoseconds
            if !current.records.isEmpty,
                current.records.count >= batchTarget || afterPoll >= batchDeadline
            {
                let batch = current
                let closing: AdaptiveBatchSize.Closing = batch.records.count >= batchTarget ? .full : .deadline
                let (action, target) = stateBox.mutex.withLock { state in
                    (state.deliver(batch, closing: closing), state.batchSize.target)
                }
                switch action {
                case .resume(let waiter, let batch): waiter.resume(returning: batch)
                case .queued, .dropped: break
                }
                if target != batchTarget {
                    batchTarget = target
                    metrics.batchTarget(target)
                }
                current = RecordBatch(records: [], tickets: [])
                current.records.reserveCapacity(batchTarget)
            }

            commitCompleted()
            if afterPoll >= nextLagReport {
                reportLag()
                probeBrokerIfUnreachable()
                nextLagReport = afterPoll + 2_000_000_000
            }
        }

        commitCompleted(wait: true)
        handle.close()
        stateBox.mutex.withLock { $0.markClosed() }
        logger.info("Kafka consumer closed")
    }

    private func commitCompleted(wait: Bool = false) {
        let offsets = stateBox.mutex.withLock { $0.takeCommittable() }
        guard !offsets.isEmpty else { return }
        do {
            try handle.commit(offsets, wait: wait)
            logger.trace("committed \(offsets.map { "\($0.0)@\($0.1)" }.joined(separator: ","))")
        } catch {
            logger.warning("offset commit failed (will retry with later offsets): \(error)")
        }
    }

    /// "All brokers are down" is cleared by the next record, but with no traffic
    /// none comes: while readiness says unreachable, ask the broker for metadata
    /// (at most 500 ms, every 2 s) so readiness returns when the broker does.
    private func probeBrokerIfUnreachable() {
        guard !broker.isReachable else { return }
        guard (try? handle.partitionCounts(of: settings.topics, timeoutMs: 500)) != nil else { return }
        broker.markReachable()
        logger.notice("Kafka broker reachable again")
    }

    /// A lag series for every partition from the moment it is assigned (its
    /// committed offset against the broker's watermarks, before a record is
    /// read), and none for a partition no longer held.
    private func followAssignmentChanges() {
        let (assigned, revoked) = stateBox.mutex.withLock { $0.takeAssignmentChanges() }
        if !revoked.isEmpty { metrics.forget(revoked) }
        guard !assigned.isEmpty else { return }
        let committed = (try? handle.committed(assigned, timeoutMs: 500)) ?? [:]
        // One request each for all partitions: this runs on the poll thread.
        guard let highs = handle.queryHighWatermarks(assigned, timeoutMs: 1_000) else { return }
        let uncommitted = assigned.filter { (committed[$0] ?? -1) < 0 }
        let lows = uncommitted.isEmpty ? [:] : handle.queryLowWatermarks(uncommitted, timeoutMs: 1_000) ?? [:]
        for partition in assigned {
            guard let high = highs[partition] else { continue }
            // No committed offset: reading starts at the low watermark (auto.offset.reset=earliest).
            guard let start = committed[partition].flatMap({ $0 >= 0 ? $0 : nil }) ?? lows[partition] else { continue }
            metrics.assigned(partition, start: start, high: high)
        }
    }

    private func reportLag() {
        let paused = stateBox.mutex.withLock { $0.paused }
        for partition in assignment {
            // A paused partition is not fetched, so its cached watermark goes stale: ask the broker.
            let high = paused.contains(partition)
                ? handle.queryHighWatermark(partition, timeoutMs: 500) : handle.cachedHighWatermark(partition)
            metrics.highWatermark(partition, high)
        }
    }

    private static func handleRebalance(
        _ event: RebalanceEvent, state: ConsumerStateBox, drainTimeout: Duration, logger: Logger
    ) -> [(TopicPartition, Int64)] {
        switch event {
        case .assigned(let partitions):
            state.mutex.withLock { $0.assigned(partitions) }
            logger.info("assigned partitions: \(partitions.map(\.description).joined(separator: ", "))")
            return []
        case .revoked(let partitions):
            let targets = state.mutex.withLock { $0.beginRevoke(partitions) }
            if !targets.isEmpty { drain(targets, state: state, timeout: drainTimeout, logger: logger) }
            let committable = state.mutex.withLock { $0.revoked(partitions) }
            logger.info(
                "revoked partitions: \(partitions.map(\.description).joined(separator: ", ")); committing \(committable.count) offset(s)")
            return committable
        }
    }
}

extension KafkaConsumer {
    /// Blocks the poll thread (inside the rebalance callback, where librdkafka
    /// allows it) until the records of the revoked partitions that the
    /// pipeline holds are decided, their results and clocks acknowledged. Then
    /// the next owner starts from a committed offset with every clock in the
    /// changelog, and no request of ours for those contacts is still on its way
    /// to Bookbag, where it could land after the next owner's newer one.
    fileprivate static func drain(
        _ targets: [TopicPartition: Int64], state: ConsumerStateBox, timeout: Duration, logger: Logger
    ) {
        let deadline = ContinuousClock.now + timeout
        while !state.mutex.withLock({ $0.isDecided(through: targets) }) {
            if ContinuousClock.now >= deadline {
                logger.warning(
                    "revoke: records of \(targets.count) partition(s) still undecided after \(timeout); letting them go (the next owner reads them again)")
                return
            }
            usleep(5_000)
        }
    }
}

/// The state machine's lock, shared by the consumer and its rebalance callback.
final class ConsumerStateBox: Sendable {
    let mutex: Mutex<ConsumerStateMachine>
    init(_ machine: ConsumerStateMachine) { mutex = Mutex(machine) }
}
