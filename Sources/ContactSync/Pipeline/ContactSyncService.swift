import ContactSyncCore
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization

/// The consuming loop as a lifecycle service: batches in, results out, offsets
/// committed behind acknowledged results. On graceful shutdown it stops
/// fetching, finishes the batch in hand within `SHUTDOWN_TIMEOUT_MS`, waits for
/// the broker to acknowledge its results, commits, and leaves the group.
public final class ContactSyncService: Service, Sendable {
    let configuration: ContactSyncConfiguration
    let consumer: KafkaConsumer
    let publisher: ResultPublisher
    let processor: BatchProcessor
    /// Whether Bookbag refuses our configuration: then waiting at shutdown cannot help.
    let standing: BookbagStanding
    let logger: Logger
    let abandon: AbandonSignal
    /// Opened once the field clocks are restored: the consumer joins the group only then.
    let clocksRestored: RestoreGate
    let onFatal: @Sendable (String) -> Void
    /// Each batch's results and clock records, published in batch order beside the next batch.
    let publishing = PublishChain()

    init(
        configuration: ContactSyncConfiguration, consumer: KafkaConsumer, publisher: ResultPublisher,
        processor: BatchProcessor, standing: BookbagStanding, logger: Logger, abandon: AbandonSignal,
        clocksRestored: RestoreGate, onFatal: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.consumer = consumer
        self.publisher = publisher
        self.processor = processor
        self.standing = standing
        self.logger = logger
        self.abandon = abandon
        self.clocksRestored = clocksRestored
        self.onFatal = onFatal
    }

    public func run() async throws {
        let restored = await withGracefulShutdownHandler {
            await clocksRestored.wait()
        } onGracefulShutdown: { [clocksRestored] in
            clocksRestored.fail()
        }
        guard restored else {
            logger.info("contact-sync stopped before the field clocks were restored; the group was not joined")
            return
        }
        try consumer.start()
        logger.info(
            "contact-sync running",
            metadata: [
                "topics": "\(configuration.kafka.topics.joined(separator: ","))",
                "group": "\(configuration.kafka.groupID)", "librdkafka": "\(RDKafkaVersion.string)",
            ])

        let deadlineTask = Mutex<Task<Void, Never>?>(nil)
        await withGracefulShutdownHandler {
            await consumeLoop()
        } onGracefulShutdown: { [consumer, abandon, logger, configuration, standing] in
            logger.info("shutdown requested: no more fetching; finishing the batch in hand")
            consumer.stopFetching()
            if let problem = standing.configurationError {
                // Waiting cannot help: the configuration must change first.
                logger.warning("Bookbag refuses our configuration (\(problem)); leaving undecided work uncommitted")
                abandon.set()
            }
            let timer = Task {
                try? await Task.sleep(for: configuration.shutdownTimeout)
                if !Task.isCancelled {
                    logger.warning("shutdown deadline passed: abandoning undecided work (it is not committed)")
                    abandon.set()
                }
            }
            deadlineTask.withLock { $0 = timer }
        }

        await publishing.drain()
        let undelivered = await publisher.flush(timeout: configuration.shutdownTimeout)
        if undelivered > 0 {
            logger.warning("\(undelivered) result(s) not acknowledged at shutdown; their records stay uncommitted")
        }
        await consumer.close()
        deadlineTask.withLock { $0?.cancel() }
        logger.info("contact-sync stopped")
    }

    /// Batches go through one after another, except that the next batch is
    /// decoded, folded and (for contacts not in flight) sent while the previous
    /// batch's requests are still out; `BatchScheduler` decides the order.
    private func consumeLoop() async {
        var memory = BatchProcessor.Memory(clocks: ClockCache(capacity: configuration.contactMemoryCapacity))
        var scheduler = BatchScheduler<BatchInFlight>()
        while true {
            var next: RecordBatch?
            switch consumer.readyBatch() {
            case .batch(let batch):
                next = batch
            case .finished:
                next = nil
            case .wait:
                if let previous = scheduler.takeInFlight() {
                    guard await finish(previous, memory: &memory) else { return }
                }
                next = await consumer.nextBatch()
            }
            guard let batch = next else { break }
            switch scheduler.arrived(epoch: batch.assignmentEpoch, recordCount: batch.records.count) {
            case .skip:
                continue
            case .catchUpFirst(let previous, let epoch):
                if let previous {
                    guard await finish(previous, memory: &memory) else { return }
                }
                guard await catchUpClocks(memory: &memory) else { return }
                scheduler.caughtUp(to: epoch)
            case .start:
                break
            }
            guard await start(batch, scheduler: &scheduler, memory: &memory) else { return }
        }
        if let previous = scheduler.takeInFlight() { _ = await finish(previous, memory: &memory) }
    }

    /// Partitions were assigned: before deciding their records, apply every
    /// clock in the changelog now, which includes all that their previous
    /// owner wrote before giving them up. The cache may hold clocks another
    /// replica has since moved forward, so it starts over.
    private func catchUpClocks(memory: inout BatchProcessor.Memory) async -> Bool {
        let started = ContinuousClock.now
        do {
            try await processor.clocks.changelog.catchUp()
        } catch {
            return stopForClocks(error)
        }
        memory.clocks.removeAll()
        logger.info("partitions assigned: field clocks caught up with \(configuration.clocks.topic) in \(ContinuousClock.now - started)")
        return true
    }

    /// Without its clocks the service cannot keep its promise: stop, committing nothing more.
    private func stopForClocks(_ error: any Error) -> Bool {
        if abandon.isSet { return false }
        logger.critical("field clocks unavailable: \(error)")
        abandon.set()
        onFatal("field clocks unavailable: \(error)")
        return false
    }

    /// Prepares a batch and starts its upsert; finishes the batch in flight on
    /// the way, as soon as the contacts it does not share with it are on their
    /// way. False when the shutdown deadline passed (nothing more is published).
    private func start(
        _ batch: RecordBatch, scheduler: inout BatchScheduler<BatchInFlight>, memory: inout BatchProcessor.Memory
    ) async -> Bool {
        let started = ContinuousClock.now
        var work = processor.decodeAndFold(batch, memory: &memory)
        let (free, waiting) = scheduler.split(work.updates)
        let freeToSend: [ContactUpdate]
        do {
            freeToSend = try await processor.reconcile(free, in: &work, memory: &memory)
        } catch {
            if let previous = scheduler.takeInFlight() { _ = await finish(previous, memory: &memory) }
            return stopForClocks(error)
        }
        let early = Task { [processor] in await processor.upsert(freeToSend) }
        if let previous = scheduler.takeInFlight() {
            guard await finish(previous, memory: &memory) else {
                _ = await early.value  // returns promptly: the abandon signal is set
                return false
            }
        }
        let waitingToSend: [ContactUpdate]
        do {
            waitingToSend = try await processor.reconcile(waiting, in: &work, memory: &memory)
        } catch {
            let stopped = stopForClocks(error)  // first: it sets the abandon signal, so `early` returns promptly
            _ = await early.value
            return stopped
        }
        let upserted = Task { [processor] () -> BatchProcessor.Upserted? in
            async let first = early.value
            async let second = processor.upsert(waitingToSend)
            guard let a = await first, let b = await second else { return nil }
            return a + b
        }
        scheduler.started(
            BatchInFlight(work: work, upserted: upserted, started: started), contacts: Set(work.updates.lazy.map(\.externalID)))
        return true
    }

    /// Waits for the batch's decisions, records its clocks (cache, store), then
    /// queues its publishing (results, dead letters, clock records) on
    /// `publishing`; offsets are marked done once the broker acknowledged every
    /// one. False when abandoned.
    private func finish(_ inFlight: BatchInFlight, memory: inout BatchProcessor.Memory) async -> Bool {
        guard let upserted = await inFlight.upserted.value else { return false }
        var work = inFlight.work
        let decidedAt = Timestamp.now
        let changedClocks = processor.record(upserted, in: &work, decidedAt: decidedAt)
        let storedClocks: [(key: String, value: [UInt8])]
        do {
            storedClocks = try processor.clocks.write(changedClocks, cache: &memory.clocks)
        } catch {
            return stopForClocks(error)
        }
        processor.count(work, memory: memory)
        let tickets = work.batch.tickets
        let consumedAt = work.batch.records.map(\.consumedAtNanos)
        // The offsets are done once the results and the clocks are both acknowledged.
        let acknowledged = AckGroup(count: 2) { [consumer, metrics = processor.metrics] in
            consumer.markDone(tickets)
            // Consume -> acknowledged result, per record.
            let now = DispatchTimeNanos.now
            for consumed in consumedAt { metrics.eventToResultFromConsumed.recordNanoseconds(Int64(now &- consumed)) }
        }
        publishing.enqueue { [publisher, processor, work] in
            await publisher.publish(processor.clocks.changelogMessages(storedClocks)) { acknowledged.acknowledgeOne() }
            let messages = work.messages + processor.outcomes.decisions(upserted, in: work, decidedAt: decidedAt)
            await publisher.publish(messages) { acknowledged.acknowledgeOne() }
        }
        let summary = work.summary
        let elapsed = ContinuousClock.now - inFlight.started
        logger.info(
            "batch done",
            metadata: [
                "records": "\(summary.records)", "contacts": "\(summary.contacts)",
                "requests": "\(summary.requests)", "synced": "\(summary.synced)",
                "unchanged": "\(summary.unchanged)", "rejected": "\(summary.rejected)",
                "failed": "\(summary.failed)", "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        return true
    }
}

/// A batch whose upsert is under way.
struct BatchInFlight: Sendable {
    var work: BatchProcessor.Work
    let upserted: Task<BatchProcessor.Upserted?, Never>
    let started: ContinuousClock.Instant
}

/// Monotonic nanoseconds, the clock `KafkaRecord.consumedAtNanos` uses.
enum DispatchTimeNanos {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
