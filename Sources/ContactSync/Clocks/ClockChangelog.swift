import ContactSyncCore
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// The clock changelog, read whole by every replica into its local store
/// (a global table): restored at start, then tailed, so that a replica that
/// takes over a partition finds every clock the previous owner wrote.
///
/// Its blocking librdkafka calls run on one serial queue of its own, never on
/// the cooperative pool.
final class ClockChangelog: Sendable {
    struct Settings: Sendable {
        var topic: String
        var properties: RDKafkaConfig
        /// This process's id in the records it writes; its own records are
        /// already in the local store and are not applied again.
        var writerID: String
        var storePath: String
        /// The input topics: when they exist and the clock topic does not, the
        /// clock topic is missing for good (after `missingTopicGrace`).
        var inputTopics: [String] = []
        var missingTopicGrace: Duration = .seconds(10)
    }

    enum Failure: Error, CustomStringConvertible {
        case refused(String)
        var description: String {
            switch self {
            case .refused(let message): message
            }
        }
    }

    let settings: Settings
    let store: ClockStore
    /// Replaced when the clock topic vanishes under it (see `reopen`).
    private let handleBox: Mutex<RDKafkaConsumerHandle>
    private var handle: RDKafkaConsumerHandle { handleBox.withLock { $0 } }
    /// Set by librdkafka's error callback when the clock topic is gone from the broker.
    private let topicVanished: VanishedFlag
    private let queue = DispatchQueue(label: "contact-sync.clock-changelog")
    private let logger: Logger
    private let metrics: ServiceMetrics
    private let state = Mutex(TailState())
    private let ownRecordPrefix: [UInt8]

    init(settings: Settings, store: ClockStore, logger: Logger, metrics: ServiceMetrics) throws {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.metrics = metrics
        ownRecordPrefix = ClockChangelogRecord.ownRecordPrefix(writer: settings.writerID)
        let vanished = VanishedFlag()
        topicVanished = vanished
        handleBox = Mutex(try Self.makeHandle(settings: settings, logger: logger, vanished: vanished))
    }

    private static func makeHandle(settings: Settings, logger: Logger, vanished: VanishedFlag) throws -> RDKafkaConsumerHandle {
        try RDKafkaConsumerHandle(
            config: settings.properties,
            callbacks: RDKafkaCallbacks(logger: logger, onError: { [logger, topic = settings.topic] message, isFatal in
                if message.contains(topic),
                    message.contains("Unknown topic") || message.contains("no longer available") || message.contains("does not exist")
                {
                    vanished.set(true)
                }
                if isFatal {
                    logger.critical("clock changelog consumer: \(message)")
                } else {
                    logger.warning("clock changelog consumer: \(message)")
                }
            }))
    }

    /// The clock topic vanished from the broker (one that lost its data, or a
    /// deleted topic). librdkafka 2.8.0 can crash when such a topic comes back
    /// under a live assignment, so this client is closed at once and a new one
    /// waits for the topic and reads on from where the store stands (from the
    /// start of a new, shorter topic). The local store keeps every clock.
    private func reopen() async throws {
        logger.error("the clock topic \(settings.topic) vanished from the broker; reading it again when it is back (the local store keeps its clocks)")
        let old = handle
        await onQueue { old.close() }
        let fresh = try Self.makeHandle(settings: settings, logger: logger, vanished: topicVanished)
        handleBox.withLock { $0 = fresh }
        topicVanished.set(false)
        let count = try await partitionCount(reporting: nil)
        let applied = state.withLock { $0.applied }
        let starts = (0..<Int32(count)).map { partition in
            (TopicPartition(topic: settings.topic, partition: partition), applied[partition] ?? RDKafkaConsumerHandle.offsetBeginning)
        }
        try await onQueue { try fresh.assign(starts) }
    }

    // MARK: - start

    /// Checks the topic against the store and starts reading where the store
    /// left off (from the beginning for a new store). Returns each partition's
    /// end offset now: the restore is done once those are applied.
    func start(reporting broker: BrokerReachability? = nil) async throws -> [Int32: Int64] {
        let stored = try await store.positions()
        let count = try await partitionCount(reporting: broker)
        let plan = try await onQueue { [handle, settings] () throws -> (starts: [(TopicPartition, Int64)], applied: [Int32: Int64], ends: [Int32: Int64]) in
            var starts: [(TopicPartition, Int64)] = []
            var applied: [Int32: Int64] = [:]
            var ends: [Int32: Int64] = [:]
            for partition in 0..<Int32(count) {
                let tp = TopicPartition(topic: settings.topic, partition: partition)
                guard let marks = handle.queryWatermarks(tp, timeoutMs: 10_000) else {
                    throw Failure.refused("cannot read the offsets of the clock topic \(tp)")
                }
                if let position = stored[partition] {
                    // Below the log start, records the store never saw are gone. (Above the
                    // high watermark is not checked: Tansu reports it as the last batch's
                    // first offset + 1, so a good store can be ahead of it.)
                    if position < marks.low {
                        throw Failure.refused(
                            "the clock store \(settings.storePath) has read \(tp) up to offset \(position), but the topic now starts at offset \(marks.low): clocks in between were deleted (retention on a topic that should be compacted only). Rebuild the store from the changelog with `contact-sync clocks rebuild`, or point CLOCK_STORE_PATH at an empty location")
                    }
                    starts.append((tp, position))
                    applied[partition] = position
                } else {
                    starts.append((tp, RDKafkaConsumerHandle.offsetBeginning))
                    applied[partition] = marks.low
                }
                ends[partition] = marks.high
            }
            try handle.assign(starts)
            return (starts, applied, ends)
        }
        state.withLock { $0.applied = plan.applied }
        return plan.ends
    }

    /// The clock topic's partition count. Waits while the broker cannot be
    /// reached (the service stays up and says so on /readyz, as it does for its
    /// consumer) and, briefly, while the topics are being created; refuses when
    /// the input topics exist and the clock topic does not.
    private func partitionCount(reporting broker: BrokerReachability?) async throws -> Int {
        let topic = settings.topic
        let wanted = [topic] + settings.inputTopics
        var missingSince: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            let counts = try? await onQueue { [handle] in try handle.partitionCounts(of: wanted, timeoutMs: 5_000) }
            if counts != nil { broker?.markReachable() } else { broker?.markUnreachable() }
            if let count = counts?[topic], count > 0 { return count }
            let now = ContinuousClock.now
            if let counts, settings.inputTopics.contains(where: { counts[$0] != nil }) {
                let since = missingSince ?? now
                missingSince = since
                if now - since >= settings.missingTopicGrace {
                    throw Failure.refused(
                        "the clock topic \(topic) (CLOCK_TOPIC) does not exist: the field clocks cannot be kept durably without it. Create it, compacted (cleanup.policy=compact), before starting contact-sync; the service never creates topics")
                }
            }
            if lastReport.map({ now - $0 >= .seconds(30) }) ?? true {
                lastReport = now
                logger.warning(
                    counts == nil
                        ? "Kafka not reachable at the start: waiting for it to restore the field clocks from \(topic)"
                        : "the clock topic \(topic) does not exist (yet): waiting for it")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    // MARK: - tailing

    /// Reads and applies records until the task is cancelled. Errors of the
    /// store are thrown (the service cannot keep its promise without it). A
    /// burst is read and decoded (on this reader's queue) while the one before
    /// it is merged (on the store's), so a restore uses both cores.
    func tail() async throws {
        var lastStatistics = ContinuousClock.now - .seconds(60)
        var merging: Task<Void, any Error>?
        var unsaved: [Int32: Int64] = [:]
        var lastSave = ContinuousClock.now
        defer { merging?.cancel() }
        while !Task.isCancelled {
            let burst = await onQueue { [handle, ownRecordPrefix] in Self.pollBurst(handle, skipping: ownRecordPrefix) }
            try await merging?.value
            for unreadable in burst.unreadable {
                metrics.unreadableClockRecord()
                logger.error(
                    "clock changelog \(settings.topic)/\(unreadable.partition)/\(unreadable.offset) is not a clock record (\(unreadable.error)); skipped")
            }
            // Positions alone (a burst of this process's own records) are saved at
            // most once a second: a store write per fetch would hold up the
            // pipeline's reads, and a position saved late only means rereading.
            for (partition, next) in burst.positions { unsaved[partition] = max(unsaved[partition] ?? 0, next) }
            var saving: [Int32: Int64] = [:]
            if !burst.entries.isEmpty || ContinuousClock.now - lastSave >= .seconds(1) {
                saving = unsaved
                unsaved = [:]
                lastSave = ContinuousClock.now
            }
            merging = Task { [self, saving] in try await apply(burst, savingPositions: saving) }
            if topicVanished.isSet {
                try await merging?.value
                try await reopen()
            }
            if ContinuousClock.now - lastStatistics >= .seconds(5) {
                lastStatistics = ContinuousClock.now
                await reportStatistics()
            }
        }
        try await merging?.value
    }

    /// Clock sets read from the changelog (already in the store's binary
    /// form), and how far each partition was read.
    private struct Burst: Sendable {
        var entries: [(key: String, value: [UInt8])] = []
        /// Next offset per partition: past the last record read, or the end of partition found.
        var positions: [Int32: Int64] = [:]
        var unreadable: [(partition: Int32, offset: Int64, error: String)] = []
        var records = 0
        /// The burst ended with librdkafka's queue empty: every record fetched so far is in it.
        var drained = false
        var isEmpty: Bool { records == 0 && positions.isEmpty }
    }

    /// Records read per burst at most. Large store transactions restore far
    /// faster (1M contacts: about 10 s in transactions of 50,000 against 30 s in
    /// transactions of 5,000, measured); a burst holds only binary clock sets
    /// (about 150 bytes each), and at most two bursts exist at a time.
    private static let burstLimit = 25_000

    /// Polls, skipping this process's own records by their first bytes (they
    /// are in the store already: written there before they were sent) and
    /// tombstones (they forget nothing: the clocks say what Bookbag holds),
    /// and decodes the rest without copying them out of librdkafka.
    private static func pollBurst(_ handle: RDKafkaConsumerHandle, skipping ownPrefix: [UInt8]) -> Burst {
        var burst = Burst()
        while burst.records < burstLimit {
            let polled = handle.pollBorrowing(timeoutMs: burst.isEmpty ? 100 : 0) { partition, offset, key, value in
                burst.records += 1
                // An end of partition met later in the burst moves past this (compaction gaps).
                burst.positions[partition] = max(burst.positions[partition] ?? 0, offset + 1)
                guard let value, !value.starts(with: ownPrefix) else { return }
                switch ClockChangelogRecord.storeEntry(key: key, value: value) {
                case .success(let entry): burst.entries.append((entry.externalID, entry.encodedClocks))
                case .failure(let error): burst.unreadable.append((partition, offset, "\(error)"))
                }
            }
            switch polled {
            case .record: continue
            case .endOfPartition(let partition, let next, _):
                burst.positions[partition] = max(burst.positions[partition] ?? 0, next)
            case .nothing, .error:
                burst.drained = true
                return burst
            }
        }
        return burst
    }

    private func apply(_ burst: Burst, savingPositions positions: [Int32: Int64]) async throws {
        if !burst.entries.isEmpty || !positions.isEmpty {
            try await store.merge(burst.entries, positions: positions)
        }
        let resumed = state.withLock { $0.advance(burst.positions, drained: burst.drained) }
        for waiter in resumed { waiter.resume() }
    }

    private func reportStatistics() async {
        if let statistics = try? await store.statistics() {
            metrics.clockStoreContacts.record(statistics.contacts)
            metrics.clockStoreBytes.record(Double(statistics.bytes))
        }
        let ends = try? await endOffsets()
        if let ends {
            let lag = state.withLock { state in
                ends.reduce(Int64(0)) { sum, end in sum + max(0, end.value - (state.applied[end.key] ?? 0)) }
            }
            metrics.clockChangelogLag.record(Double(lag))
        }
    }

    // MARK: - catching up

    /// Waits until every record in the changelog now is applied to the local
    /// store. Called after a partition assignment, before its records are decided.
    func catchUp() async throws {
        try await waitUntilApplied(endOffsets())
    }

    func endOffsets() async throws -> [Int32: Int64] {
        let partitions = state.withLock { Array($0.applied.keys) }
        return try await onQueue { [handle, settings] in
            let wanted = partitions.map { TopicPartition(topic: settings.topic, partition: $0) }
            guard let marks = handle.queryHighWatermarks(wanted, timeoutMs: 10_000) else {
                throw Failure.refused("cannot read the end offsets of the clock topic \(settings.topic)")
            }
            return Dictionary(uniqueKeysWithValues: marks.map { ($0.key.partition, $0.value) })
        }
    }

    /// Throws `CancellationError` when the waiting task is cancelled (the shutdown deadline).
    func waitUntilApplied(_ targets: [Int32: Int64]) async throws {
        let id = state.withLock { $0.nextWaiterID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { state -> Result<Void, any Error>? in
                    if state.isApplied(targets) { return .success(()) }
                    // Checked under the lock: a cancellation after it finds the waiter below.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append((id, targets, continuation))
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Ends every wait with an error (the tail stopped).
    func failWaiters(_ error: any Error) {
        let waiters = state.withLock { state in
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    func close() async {
        await onQueue { [handle] in handle.close() }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}

/// Next offset to apply per partition, and who waits for which.
///
/// A wait for end offsets is over once they are applied and the last burst
/// emptied librdkafka's queue. The second condition matters with brokers that
/// report the high watermark as the last batch's first offset + 1 (Tansu):
/// the rest of that batch came in the same fetch, so it is applied once the
/// queue is empty.
private struct TailState {
    var applied: [Int32: Int64] = [:]
    var lastBurstDrained = false
    typealias Waiter = (id: UInt64, targets: [Int32: Int64], continuation: CheckedContinuation<Void, any Error>)
    var waiters: [Waiter] = []
    private var lastWaiterID: UInt64 = 0

    mutating func nextWaiterID() -> UInt64 {
        lastWaiterID += 1
        return lastWaiterID
    }

    func isApplied(_ targets: [Int32: Int64]) -> Bool {
        lastBurstDrained && targets.allSatisfy { partition, end in (applied[partition] ?? 0) >= end }
    }

    /// Records progress; returns the waits now satisfied.
    mutating func advance(_ positions: [Int32: Int64], drained: Bool) -> [CheckedContinuation<Void, any Error>] {
        lastBurstDrained = drained
        for (partition, next) in positions where next > (applied[partition] ?? 0) { applied[partition] = next }
        var resumed: [CheckedContinuation<Void, any Error>] = []
        var waiting: [Waiter] = []
        for waiter in waiters {
            if isApplied(waiter.targets) { resumed.append(waiter.continuation) } else { waiting.append(waiter) }
        }
        waiters = waiting
        return resumed
    }
}

/// Shared by a client's error callback and the tail loop.
private final class VanishedFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set(_ value: Bool) { flag.store(value, ordering: .relaxed) }
}
