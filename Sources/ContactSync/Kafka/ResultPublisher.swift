import ContactSyncCore
import Dispatch
import FoundationEssentials
import Logging
import ServiceLifecycle
import Synchronization

/// One record to publish to the result or dead-letter topic.
public struct OutgoingMessage: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// Says the same in messages of at most `maxBytes` (key plus value) each,
    /// for when this one is refused as too large; nil when it cannot be said
    /// smaller. A dead letter keeps a shorter prefix; a result shares its
    /// event_ids and sources out over several records.
    public var shrunk: (@Sendable (_ maxBytes: Int) -> [OutgoingMessage]?)?

    public var size: Int { (key?.count ?? 0) + value.count }

    public init(
        topic: String, key: [UInt8]?, value: [UInt8], shrunk: (@Sendable (_ maxBytes: Int) -> [OutgoingMessage]?)? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.shrunk = shrunk
    }
}

/// Publishes results and dead letters with an idempotent, `acks=all` producer
/// whose delivery reports are served on a dedicated thread. A group of messages
/// is acknowledged only when the broker has every one of them; a message the
/// broker refuses is produced again, so an acknowledgement is never faked.
///
/// A message refused as too large (MSG_SIZE_TOO_LARGE, by `produce` or in the
/// delivery report) is never produced again as it was: it is replaced by its
/// smaller form (`OutgoingMessage.shrunk`), and the group then waits for those.
/// One that cannot be made smaller stops the service: acknowledging it would
/// lose it, and holding it would stall its partition for good.
public final class ResultPublisher: Sendable {
    /// The current producer. Replaced after a fatal error (for example an
    /// idempotence sequence desync when a broker lost its state), so that the
    /// service recovers by itself instead of stopping.
    private let current: Mutex<RDKafkaProducerHandle>
    private var handle: RDKafkaProducerHandle { current.withLock { $0 } }
    private let properties: RDKafkaConfig
    private let makeCallbacks: @Sendable () -> RDKafkaCallbacks
    private let fatalPending: FatalFlag
    /// Uptime of the last delivery report; a producer holding messages with no
    /// report for `stallLimit` is replaced (seen after a broker lost its state
    /// without answering with an error).
    private let lastDelivery: DeliveryClock
    private let stallLimitNanos: UInt64 = 30_000_000_000
    private let onFatal: @Sendable (String) -> Void
    private let logger: Logger
    private let poller = PollThread(name: "kafka-producer-poll")
    private let retries: RetryQueue
    private let metrics: ServiceMetrics
    /// The most bytes (key plus value) one message may hold: the producer's
    /// `message.max.bytes` less the per-message and per-batch framing.
    public let maxPayloadBytes: Int

    public init(
        properties: RDKafkaConfig, logger: Logger, metrics: ServiceMetrics,
        onFatal: @escaping @Sendable (String) -> Void
    ) throws {
        try RDKafkaVersion.requireSupported()
        self.logger = logger
        self.metrics = metrics
        let retries = RetryQueue()
        self.retries = retries
        self.properties = properties
        self.onFatal = onFatal
        let fatalPending = FatalFlag()
        self.fatalPending = fatalPending
        let lastDelivery = DeliveryClock()
        self.lastDelivery = lastDelivery
        makeCallbacks = { RDKafkaCallbacks(
            logger: logger,
            onError: { [logger] message, isFatal in
                if isFatal {
                    logger.error("Kafka producer fatal error, replacing the producer: \(message)")
                    fatalPending.raise(message)
                } else {
                    logger.warning("Kafka producer error: \(message)")
                }
            },
            onDelivery: { [logger] token, failure in
                guard let token else { return }
                lastDelivery.value.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                let pending = Unmanaged<PendingMessage>.fromOpaque(token).takeRetainedValue()
                guard let failure else { return pending.group.acknowledgeOne() }
                let message = OutgoingMessage(
                    topic: failure.topic, key: failure.key, value: failure.value, shrunk: pending.shrunk)
                if failure.messageTooLarge {
                    // Produced again at once, in its smaller form (or the service stops).
                    retries.mutex.withLock { $0.append((message, pending.group, 0, tooLarge: true)) }
                    return
                }
                if failure.requiresNewProducer { fatalPending.raise(failure.error) }
                logger.warning("result not delivered, producing it again in 1 s: \(failure.error)")
                let due = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
                retries.mutex.withLock { $0.append((message, pending.group, due, tooLarge: false)) }
            }) }
        let producer = try RDKafkaProducerHandle(config: properties, callbacks: makeCallbacks())
        maxPayloadBytes = producer.maxPayloadBytes
        current = Mutex(producer)
    }

    /// After a fatal error: a new producer takes over, and every message the old
    /// one still held comes back through its delivery report (purged) and is
    /// produced again on the new one.
    private func replaceProducer(after message: String) {
        let replacement: RDKafkaProducerHandle
        do {
            replacement = try RDKafkaProducerHandle(config: properties, callbacks: makeCallbacks())
        } catch {
            onFatal("Kafka producer: \(message); cannot create a new producer: \(error)")
            return
        }
        let old = current.withLock { handle -> RDKafkaProducerHandle in
            defer { handle = replacement }
            return handle
        }
        old.purgeAll()
        let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
        while old.outstanding > 0 && DispatchTime.now().uptimeNanoseconds < deadline { old.poll(timeoutMs: 50) }
        logger.notice("Kafka producer replaced; \(old.outstanding) message(s) could not be taken over")
    }

    public func start() {
        poller.start { [self] in pollOnce() }
    }

    /// Queues the messages; `onAcknowledged` runs (on the producer thread) once
    /// the broker has acknowledged all of them.
    public func publish(_ messages: [OutgoingMessage], onAcknowledged: @escaping @Sendable () -> Void) async {
        let group = AckGroup(count: messages.count, onComplete: onAcknowledged)
        if messages.isEmpty {
            onAcknowledged()
            return
        }
        var messages = messages
        var index = messages.startIndex
        while index < messages.endIndex {
            let producer = handle  // one lock per run, not per message
            sending: while index < messages.endIndex {
                let message = messages[index]
                let token = PendingMessage.token(group: group, shrunk: message.shrunk)
                switch producer.produce(topic: message.topic, key: message.key, value: message.value, token: token) {
                case .queued:
                    index += 1
                case .queueFull:
                    PendingMessage.release(token)
                    try? await Task.sleep(for: .milliseconds(5))
                    break sending
                case .tooLarge:
                    PendingMessage.release(token)
                    guard let smaller = smaller(message, group: group) else { return }
                    messages.replaceSubrange(index...index, with: smaller)
                case .failed(let reason):
                    PendingMessage.release(token)
                    logger.error("cannot queue a result for \(message.topic): \(reason); retrying in 1 s")
                    try? await Task.sleep(for: .seconds(1))
                    break sending
                }
            }
        }
    }

    /// The smaller form of a message refused as too large, counted in its
    /// group; nil (and the service stopping) when there is none.
    private func smaller(_ message: OutgoingMessage, group: AckGroup) -> [OutgoingMessage]? {
        // Over the limit: cut to it. Within it (the broker's own limit is lower): halve.
        let target = message.size > maxPayloadBytes ? maxPayloadBytes : message.size / 2
        guard let parts = message.shrunk?(target), !parts.isEmpty, parts.allSatisfy({ $0.size < message.size }) else {
            let text = "a \(message.size)-byte message for \(message.topic) was refused as too large and cannot be made"
                + " smaller; raise the topic's max.message.bytes or lower KAFKA_MESSAGE_MAX_BYTES / KAFKA_BATCH_SIZE"
                + " to at most it (the producer allows \(maxPayloadBytes) bytes)"
            logger.critical("\(text)")
            onFatal(text)
            return nil
        }
        group.expect(more: parts.count - 1)
        metrics.oversized(topic: message.topic)
        logger.warning(
            "a \(message.size)-byte message for \(message.topic) was refused as too large; publishing it as \(parts.count) message(s) of at most \(target) bytes")
        return parts
    }

    /// Messages not yet acknowledged by the broker.
    public var outstanding: Int { handle.outstanding }

    public func partitionCounts(of topics: [String], timeout: Duration) throws -> [String: Int] {
        try handle.partitionCounts(of: topics, timeoutMs: Int32(timeout.components.seconds * 1000))
    }

    /// Waits (off the cooperative pool) until the broker acknowledged what is
    /// outstanding, or the timeout passes; returns how many are still unacknowledged.
    public func flush(timeout: Duration) async -> Int {
        let timeoutMs = Int32(min(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000, 600_000))
        return await DedicatedThread.run(name: "kafka-producer-flush") { [handle] in handle.flush(timeoutMs: timeoutMs) }
    }

    /// Stops the poll thread, then flushes: returns the number of messages still undelivered.
    public func close(timeout: Duration) async -> Int {
        await poller.stop()
        return await flush(timeout: timeout)
    }

    /// One turn of the poll thread: delivery reports, a replacement after a
    /// fatal error or a stall, and the retries that are due.
    private func pollOnce() {
        handle.poll(timeoutMs: 50)
        if let message = fatalPending.take() { replaceProducer(after: message) }
        let now = DispatchTime.now().uptimeNanoseconds
        if handle.outstanding > 0, now &- lastDelivery.value.load(ordering: .relaxed) > stallLimitNanos {
            lastDelivery.value.store(now, ordering: .relaxed)
            replaceProducer(after: "no delivery report for 30 s with \(handle.outstanding) message(s) outstanding")
        }
        retryDue()
    }

    private func retryDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        let due = retries.mutex.withLock { pending -> [RetryQueue.Entry] in
            let ready = pending.filter { $0.due <= now }
            pending.removeAll { $0.due <= now }
            return ready
        }
        var queue = due.flatMap { entry -> [(OutgoingMessage, AckGroup)] in
            guard entry.tooLarge else { return [(entry.message, entry.group)] }
            return (smaller(entry.message, group: entry.group) ?? []).map { ($0, entry.group) }
        }
        while !queue.isEmpty {
            let (message, group) = queue.removeFirst()
            let token = PendingMessage.token(group: group, shrunk: message.shrunk)
            switch handle.produce(topic: message.topic, key: message.key, value: message.value, token: token) {
            case .queued:
                continue
            case .tooLarge:
                PendingMessage.release(token)
                queue.insert(contentsOf: (smaller(message, group: group) ?? []).map { ($0, group) }, at: 0)
            case .queueFull, .failed:
                PendingMessage.release(token)
                let later = now + 1_000_000_000
                retries.mutex.withLock { $0.append((message, group, later, tooLarge: false)) }
            }
        }
    }
}

/// The producer is a lifecycle service of its own: it serves delivery reports
/// until the group shuts it down, which happens after the consuming service
/// (started after it) has finished, flushed and committed.
extension ResultPublisher: Service {
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        let undelivered = await close(timeout: .seconds(10))
        if undelivered > 0 { logger.warning("\(undelivered) result(s) still unacknowledged when the producer stopped") }
    }
}

/// Counts the acknowledgements a group of messages still waits for.
final class AckGroup: Sendable {
    private let remaining: Mutex<Int>
    private let onComplete: @Sendable () -> Void

    init(count: Int, onComplete: @escaping @Sendable () -> Void) {
        remaining = Mutex(count)
        self.onComplete = onComplete
    }

    /// A message of the group was replaced by `count + 1` smaller ones.
    func expect(more count: Int) {
        remaining.withLock { $0 += count }
    }

    func acknowledgeOne() {
        let left = remaining.withLock { value -> Int in
            value -= 1
            return value
        }
        if left == 0 { onComplete() }
    }
}

/// Uptime of the last delivery report.
final class DeliveryClock: Sendable {
    let value = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)
}

/// A fatal error reported on a librdkafka thread, taken by the poll thread.
final class FatalFlag: Sendable {
    private let message = Mutex<String?>(nil)
    func raise(_ text: String) { message.withLock { if $0 == nil { $0 = text } } }
    func take() -> String? { message.withLock { value in defer { value = nil }; return value } }
}

/// What a produced message's delivery report needs: the group to acknowledge,
/// and how to say the message smaller should it be refused as too large.
final class PendingMessage: Sendable {
    let group: AckGroup
    let shrunk: (@Sendable (Int) -> [OutgoingMessage]?)?

    private init(group: AckGroup, shrunk: (@Sendable (Int) -> [OutgoingMessage]?)?) {
        self.group = group
        self.shrunk = shrunk
    }

    /// A retained reference for librdkafka's opaque; the delivery report takes it back.
    static func token(group: AckGroup, shrunk: (@Sendable (Int) -> [OutgoingMessage]?)?) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(PendingMessage(group: group, shrunk: shrunk)).toOpaque()
    }

    /// For a token librdkafka did not take.
    static func release(_ token: UnsafeMutableRawPointer) {
        Unmanaged<PendingMessage>.fromOpaque(token).release()
    }
}

/// Messages the broker refused, due to be produced again at the given uptime
/// (at once, smaller, when refused as too large).
final class RetryQueue: Sendable {
    typealias Entry = (message: OutgoingMessage, group: AckGroup, due: UInt64, tooLarge: Bool)
    let mutex = Mutex<[Entry]>([])
}
