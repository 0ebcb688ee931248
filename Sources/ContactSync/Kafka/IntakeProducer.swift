import ContactSyncCore
import Dispatch
import FoundationEssentials
import Logging
import ServiceLifecycle
import Synchronization

/// One event on its way to an input topic.
public struct IntakeRecord: Sendable {
    public var topic: String
    public var key: [UInt8]
    public var value: [UInt8]

    public init(topic: String, key: [UInt8], value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.value = value
    }
}

/// What became of one request's records.
public enum IntakeDelivery: Sendable, Equatable {
    /// The broker acknowledged every record (`acks=all`).
    case acknowledged
    /// At least one record was not acknowledged in time, or could not be queued;
    /// others of the same request may have been written.
    case notAcknowledged(String)
}

/// The webhook intake's idempotent, `acks=all` producer. A request's records are
/// acknowledged together: `write` returns once every delivery report is in.
/// Nothing is retried here: `message.timeout.ms` (INTAKE_PRODUCE_TIMEOUT_MS)
/// bounds the wait, and the sender retries a 503.
public final class IntakeProducer: Sendable {
    /// Replaced after a fatal error (a broker that lost the idempotence state,
    /// e.g. one restarted empty), so that the intake recovers by itself.
    private let current: Mutex<RDKafkaProducerHandle>
    private var handle: RDKafkaProducerHandle { current.withLock { $0 } }
    private let makeHandle: @Sendable () throws -> RDKafkaProducerHandle
    private let fatalPending: FatalFlag
    private let reachability: BrokerReachability
    private let probeTopics: [String]
    private let logger: Logger
    private let poller = PollThread(name: "intake-producer-poll")
    /// At most one replacement per produce timeout: while the broker is away every
    /// request times out, and one new producer per period is enough.
    private let replacements: ReplacementPacing
    /// The most bytes (key plus value) one record may hold.
    public let maxPayloadBytes: Int

    public init(properties: RDKafkaConfig, probeTopics: [String], logger: Logger) throws {
        try RDKafkaVersion.requireSupported()
        self.logger = logger
        self.probeTopics = probeTopics
        replacements = ReplacementPacing(interval: .milliseconds(Int64(properties.properties["message.timeout.ms"] ?? "") ?? 10_000))
        let reachability = BrokerReachability(reachable: false)
        self.reachability = reachability
        let fatalPending = FatalFlag()
        self.fatalPending = fatalPending
        makeHandle = {
            let callbacks = RDKafkaCallbacks(
                logger: logger,
                onError: { [logger] message, isFatal in
                    if message.contains("brokers are down") { reachability.markUnreachable() }
                    if isFatal {
                        logger.error("intake producer fatal error, replacing the producer: \(message)")
                        fatalPending.raise(message)
                    } else {
                        logger.warning("intake producer error: \(message)")
                    }
                },
                onDelivery: { token, failure in
                    guard let token else { return }
                    if let failure {
                        // A broker that came back empty (it lost the idempotence
                        // state) may never answer this producer again without an
                        // error: records only time out. A new producer starts clean.
                        if failure.requiresNewProducer || failure.timedOut { fatalPending.raise(failure.error) }
                    } else {
                        reachability.markReachable()
                    }
                    Unmanaged<DeliveryWaiter>.fromOpaque(token).takeRetainedValue().report(failure?.error)
                })
            return try RDKafkaProducerHandle(config: properties, callbacks: callbacks)
        }
        let first = try makeHandle()
        maxPayloadBytes = first.maxPayloadBytes
        current = Mutex(first)
    }

    /// One turn of the poll thread: delivery reports, a replacement after a
    /// fatal error, and a metadata probe while the broker is marked away (a
    /// producer with nothing to send would not notice it coming back).
    private func pollOnce() {
        handle.poll(timeoutMs: 50)
        if replacements.due(), let message = fatalPending.take() {
            replacements.noteReplaced()
            replaceProducer(after: message)
        }
        if reachability.probeDue() {
            let answered = (try? handle.partitionCounts(of: probeTopics, timeoutMs: 500)) != nil
            if answered { reachability.markReachable() } else { reachability.markUnreachable() }
        }
    }

    /// Every record the old producer still held fails (purged) and its request
    /// answers 503; the sender's retry goes through the new producer.
    private func replaceProducer(after message: String) {
        let replacement: RDKafkaProducerHandle
        do {
            replacement = try makeHandle()
        } catch {
            logger.error("intake producer: \(message); cannot create a new producer: \(error)")
            return
        }
        let old = current.withLock { handle -> RDKafkaProducerHandle in
            defer { handle = replacement }
            return handle
        }
        old.purgeAll()
        let deadline = DispatchTime.now().uptimeNanoseconds + 5_000_000_000
        while old.outstanding > 0 && DispatchTime.now().uptimeNanoseconds < deadline { old.poll(timeoutMs: 50) }
        logger.notice("intake producer replaced after: \(message)")
    }

    /// False from start until the broker first answers, and after librdkafka
    /// reports every broker down until a delivery or a metadata probe succeeds.
    public var brokerReachable: Bool { reachability.isReachable }

    public func start() {
        poller.start { [self] in pollOnce() }
    }

    /// Queues the records and waits for every delivery report.
    public func write(_ records: [IntakeRecord]) async -> IntakeDelivery {
        guard !records.isEmpty else { return .acknowledged }
        let producer = handle
        return await withCheckedContinuation { continuation in
            let waiter = DeliveryWaiter(expecting: records.count, continuation: continuation)
            for (index, record) in records.enumerated() {
                let token = Unmanaged.passRetained(waiter).toOpaque()
                let outcome = producer.produce(topic: record.topic, key: record.key, value: record.value, token: token)
                guard outcome != .queued else { continue }
                Unmanaged<DeliveryWaiter>.fromOpaque(token).release()
                let reason: String
                switch outcome {
                case .queueFull: reason = "the producer's queue is full"
                case .tooLarge: reason = "a record is larger than the producer's message.max.bytes"
                case .failed(let text): reason = text
                case .queued: reason = ""
                }
                waiter.abandon(records.count - index, reason: reason)
                break
            }
        }
    }

    /// Waits (off the cooperative pool) for what is outstanding, then stops the poll thread.
    /// Returns the number of records still unacknowledged.
    func close(timeout: Duration) async -> Int {
        let timeoutMs = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        await poller.stop()
        return await DedicatedThread.run(name: "intake-producer-flush") { [handle] in handle.flush(timeoutMs: timeoutMs) }
    }
}

/// Serves delivery reports from start until the group shuts down (after the
/// intake listener has answered its last request), then flushes.
extension IntakeProducer: Service {
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        let left = await close(timeout: .seconds(10))
        if left > 0 { logger.warning("\(left) intake record(s) still unacknowledged when the producer stopped") }
    }
}

/// Counts one request's delivery reports and resumes its handler after the last.
final class DeliveryWaiter: Sendable {
    private let state: Mutex<(remaining: Int, failure: String?, continuation: CheckedContinuation<IntakeDelivery, Never>?)>

    init(expecting count: Int, continuation: CheckedContinuation<IntakeDelivery, Never>) {
        state = Mutex((count, nil, continuation))
    }

    /// One record's delivery report (nil: acknowledged).
    func report(_ failure: String?) { settle(1, failure: failure) }

    /// `count` records that were never queued.
    func abandon(_ count: Int, reason: String) { settle(count, failure: reason) }

    private func settle(_ count: Int, failure: String?) {
        let finished = state.withLock { state -> (CheckedContinuation<IntakeDelivery, Never>, IntakeDelivery)? in
            state.remaining -= count
            if let failure, state.failure == nil { state.failure = failure }
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.failure.map { .notAcknowledged($0) } ?? .acknowledged)
        }
        if let (continuation, outcome) = finished { continuation.resume(returning: outcome) }
    }
}

/// Spaces producer replacements at least `interval` apart.
final class ReplacementPacing: Sendable {
    private let intervalNanos: UInt64
    private let last = Mutex<UInt64?>(nil)

    init(interval: Duration) { intervalNanos = UInt64(max(interval.nanosecondsClamped, 1_000_000_000)) }

    func due() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        return last.withLock { last in last.map { now &- $0 >= intervalNanos } ?? true }
    }

    func noteReplaced() { last.withLock { $0 = DispatchTime.now().uptimeNanoseconds } }
}
