import ContactSyncCore
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization

/// The consuming loop as a lifecycle service: batches in, results out, offsets
/// committed behind acknowledged results. `BatchScheduler` decides the order;
/// this service performs what it says. On graceful shutdown it stops fetching,
/// finishes the batch in hand within `SHUTDOWN_TIMEOUT_MS`, waits for the
/// broker to acknowledge its results, commits, and leaves the group. Past the
/// deadline it cancels the loop: the upserts still under way are child tasks
/// of it, so they stop, and what they did not decide stays uncommitted.
public final class ContactSyncService: Service, Sendable {
    typealias Scheduler = BatchScheduler<BatchInFlight, Publication, Commit>

    let configuration: ContactSyncConfiguration
    let consumer: KafkaConsumer
    let publisher: ResultPublisher
    let processor: BatchProcessor
    /// Whether Bookbag refuses our configuration: then waiting at shutdown cannot help.
    let standing: BookbagStanding
    let logger: Logger
    /// Opened once the field clocks are restored: the consumer joins the group only then.
    let clocksRestored: RestoreGate
    let onFatal: @Sendable (String) -> Void
    /// Shared by the loop and the producer's delivery reports (acknowledgements).
    let schedule = Mutex(Scheduler())
    /// The task handing decided batches to the producer, one after another, while there is one.
    let handingOver = Mutex<Task<Void, Never>?>(nil)

    init(
        configuration: ContactSyncConfiguration, consumer: KafkaConsumer, publisher: ResultPublisher,
        processor: BatchProcessor, standing: BookbagStanding, logger: Logger,
        clocksRestored: RestoreGate, onFatal: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.consumer = consumer
        self.publisher = publisher
        self.processor = processor
        self.standing = standing
        self.logger = logger
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

        // A task of its own, so that the shutdown deadline can cancel the loop alone.
        let loop = Task { await consumeLoop() }
        let deadlineTask = Mutex<Task<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.value
            } onGracefulShutdown: { [consumer, logger, configuration, standing] in
                logger.info("shutdown requested: no more fetching; finishing the batch in hand")
                consumer.stopFetching()
                if let problem = standing.configurationError {
                    // Waiting cannot help: the configuration must change first.
                    logger.warning("Bookbag refuses our configuration (\(problem)); leaving undecided work uncommitted")
                    loop.cancel()
                }
                let timer = Task {
                    try? await Task.sleep(for: configuration.shutdownTimeout)
                    if !Task.isCancelled {
                        logger.warning("shutdown deadline passed: abandoning undecided work (it is not committed)")
                        loop.cancel()
                    }
                }
                deadlineTask.withLock { $0 = timer }
            }
        } onCancel: {
            loop.cancel()
        }

        await handingOver.withLock { $0 }?.value
        let undelivered = await publisher.flush(timeout: configuration.shutdownTimeout)
        if undelivered > 0 {
            logger.warning("\(undelivered) result(s) not acknowledged at shutdown; their records stay uncommitted")
        }
        await consumer.close()
        deadlineTask.withLock { $0?.cancel() }
        logger.info("contact-sync stopped")
    }

    // MARK: - the loop

    /// What the loop owns across batches: the contact memory, the upsert
    /// parts that ended before their batch was finished, and the contacts
    /// carried into the next batch.
    struct LoopState: Sendable {
        var memory: BatchProcessor.Memory
        var parts = UpsertParts()
        var carried: CarriedContacts?
    }

    /// Batches go through one after another, except that the next batch is
    /// decoded, folded and (for contacts not in flight) sent while the previous
    /// batch's requests are still out. Its contacts that are in flight are
    /// carried into the batch after it (`CarriedContacts`); in a backlog they
    /// wait up to `BATCH_MAX_WAIT_MS` for it. Otherwise, before the loop waits
    /// for input, changes assignment or ends, they go on their own.
    /// The upserts are child tasks of the loop: cancelling it (the shutdown
    /// deadline, or the clocks failing) stops them.
    private func consumeLoop() async {
        await withTaskGroup(of: UpsertParts.Part.self) { upserts in
            var state = LoopState(memory: BatchProcessor.Memory(clocks: ClockCache(capacity: configuration.contactMemoryCapacity)))
            let completed = await consumeBatches(&state, &upserts)
            if !completed { upserts.cancelAll() }
        }
    }

    /// False when the loop stopped before the stream ended (cancelled, or the clocks failed).
    private func consumeBatches(_ state: inout LoopState, _ upserts: inout TaskGroup<UpsertParts.Part>) async -> Bool {
        while true {
            var next: RecordBatch?
            var ready = consumer.readyBatch()
            if case .wait = ready, state.carried != nil, consumer.isInBacklog {
                // In a backlog the next batch is near: finish the one in flight (its
                // acknowledgements let fetching go on) and give the carried contacts
                // one batch deadline to fold on into the next batch instead of going alone.
                if let previous = schedule.withLock({ $0.takeInFlight() }) {
                    guard await finish(previous, &state, &upserts) else { return false }
                }
                ready = await consumer.nextBatch(within: configuration.batching.maxWait)
            }
            // Consumed, so that the batch's arrays have one owner on their way
            // down (`decodeAndFold` appends to them without copying them).
            switch consume ready {
            case .batch(let batch):
                next = batch
            case .finished:
                next = nil
            case .wait:
                guard await sendCarried(&state, &upserts) else { return false }
                if let previous = schedule.withLock({ $0.takeInFlight() }) {
                    guard await finish(previous, &state, &upserts) else { return false }
                }
                next = await consumer.nextBatch()
            }
            guard let batch = next.take() else { break }
            switch schedule.withLock({ $0.arrived(epoch: batch.assignmentEpoch, recordCount: batch.records.count) }) {
            case .skip:
                continue
            case .catchUpFirst(let previous, let epoch):
                if let previous {
                    guard await finish(previous, &state, &upserts) else { return false }
                }
                guard await sendCarried(&state, &upserts) else { return false }
                if let carried = schedule.withLock({ $0.takeInFlight() }) {
                    guard await finish(carried, &state, &upserts) else { return false }
                }
                guard await catchUpClocks(memory: &state.memory) else { return false }
                schedule.withLock { $0.caughtUp(to: epoch) }
            case .start:
                break
            }
            let carried = state.carried
            state.carried = nil
            guard await start(consume batch, carrying: carried, mayCarry: true, holdingNew: consumer.isAtBatchCeiling, &state, &upserts)
            else { return false }
        }
        guard await sendCarried(&state, &upserts) else { return false }
        if let previous = schedule.withLock({ $0.takeInFlight() }) { return await finish(previous, &state, &upserts) }
        return true
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

    /// Without its clocks the service cannot keep its promise: stop, committing
    /// nothing more. (Cancelled, the clock waits end with an error too: that
    /// is the shutdown deadline, not a failure.)
    private func stopForClocks(_ error: any Error) -> Bool {
        if Task.isCancelled { return false }
        logger.critical("field clocks unavailable: \(error)")
        onFatal("field clocks unavailable: \(error)")
        return false
    }

    /// The contacts carried from the last batch, as a batch of their own.
    private func sendCarried(_ state: inout LoopState, _ upserts: inout TaskGroup<UpsertParts.Part>) async -> Bool {
        guard let carried = state.carried else { return true }
        state.carried = nil
        return await start(RecordBatch(records: [], tickets: []), carrying: carried, mayCarry: false, holdingNew: false, &state, &upserts)
    }

    /// Prepares a batch (with the contacts `carried` into it) and starts its
    /// upsert; finishes the batch in flight on the way, as soon as the
    /// contacts it does not share with it are on their way. The shared ones
    /// are sent after that, or, when it `mayCarry` them, carried into the next
    /// batch. `holdingNew` (a backlog at the batch ceiling) carries the
    /// contacts this batch sees first too (`CarriedContacts.holdingNew`).
    /// False when the loop must stop.
    private func start(
        _ batch: consuming RecordBatch, carrying carried: CarriedContacts?, mayCarry: Bool, holdingNew: Bool,
        _ state: inout LoopState, _ upserts: inout TaskGroup<UpsertParts.Part>
    ) async -> Bool {
        let started = ContinuousClock.now
        var work = await processor.decodeAndFold(consume batch, carried: carried, memory: &state.memory)
        var (free, shared) = schedule.withLock { $0.split(work.updates) }
        var waiting = shared
        if mayCarry {
            var held = shared
            if holdingNew {
                let new: [ContactUpdate]
                (free, new) = CarriedContacts.holdingNew(free, carriedIn: carried)
                held += new
                processor.metrics.heldNew(contacts: new.count)
            }
            if !held.isEmpty {
                state.carried = work.carryOut(held, keeping: free)
                processor.metrics.carried(contacts: shared.count)
                waiting = []
            }
        }
        let number = state.parts.nextBatch()
        do {
            let freeToSend = try await processor.reconcile(free, in: &work, memory: &state.memory)
            upserts.addTask { [processor] in .init(batch: number, index: 0, upserted: await processor.upsert(freeToSend)) }
        } catch {
            // What the batch in flight decided is still published and committed.
            if let previous = schedule.withLock({ $0.takeInFlight() }) { _ = await finish(previous, &state, &upserts) }
            return stopForClocks(error)
        }
        if let previous = schedule.withLock({ $0.takeInFlight() }) {
            guard await finish(previous, &state, &upserts) else { return false }
        }
        do {
            let waitingToSend = try await processor.reconcile(waiting, in: &work, memory: &state.memory)
            upserts.addTask { [processor] in .init(batch: number, index: 1, upserted: await processor.upsert(waitingToSend)) }
        } catch {
            return stopForClocks(error)
        }
        let contacts = Set(work.updates.lazy.map(\.externalID))
        schedule.withLock { $0.started(BatchInFlight(number: number, work: work, started: started), contacts: contacts) }
        return true
    }

    /// Waits for the batch's decisions, records its clocks (cache, store), then
    /// has the scheduler order its publication (results, dead letters, clock
    /// records); its records are committed once the broker acknowledged all of
    /// it. False when the loop must stop.
    private func finish(_ inFlight: BatchInFlight, _ state: inout LoopState, _ upserts: inout TaskGroup<UpsertParts.Part>) async -> Bool {
        guard let upserted = await state.parts.collect(batch: inFlight.number, count: 2, from: &upserts) else { return false }
        var work = inFlight.work
        let decidedAt = Timestamp.now
        let changedClocks = processor.record(upserted, in: &work, decidedAt: decidedAt)
        let storedClocks: [(key: String, value: [UInt8])]
        do {
            storedClocks = try processor.clocks.write(changedClocks, cache: &state.memory.clocks)
        } catch {
            return stopForClocks(error)
        }
        processor.count(work, memory: state.memory)
        let publication = Publication(work: work, upserted: upserted, storedClocks: storedClocks, decidedAt: decidedAt)
        let commit = Commit(tickets: work.batch.tickets, consumedAt: work.batch.records.map(\.consumedAtNanos))
        // Two parts: the clock records, and the results with the dead letters.
        if let publish = schedule.withLock({ $0.decided(publication, parts: 2, commit: commit) }) { handOver(from: publish) }
        logBatch(work.summary, elapsed: ContinuousClock.now - inFlight.started)
        return true
    }

    private func logBatch(_ summary: BatchProcessor.Summary, elapsed: Duration) {
        logger.info(
            "batch done",
            metadata: [
                "records": "\(summary.records)", "contacts": "\(summary.contacts)",
                "requests": "\(summary.requests)", "synced": "\(summary.synced)",
                "unchanged": "\(summary.unchanged)", "rejected": "\(summary.rejected)",
                "failed": "\(summary.failed)", "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
    }

    // MARK: - publishing and committing

    /// Hands decided batches to the producer in the scheduler's order, on a
    /// task of its own: it runs beside the next batch instead of holding up
    /// the loop. The consumer's bound on records awaiting acknowledgement
    /// (`MAX_OUTSTANDING_RECORDS`) bounds how far it can fall behind.
    private func handOver(from first: Scheduler.Publish) {
        let task = Task {
            var next: Scheduler.Publish? = first
            while let publish = next {
                await produce(publish)
                next = schedule.withLock { $0.handedOver() }
            }
        }
        handingOver.withLock { $0 = task }
    }

    /// Encodes a decided batch's messages (off the loop) and hands them to the producer.
    private func produce(_ publish: Scheduler.Publish) async {
        let number = publish.number
        let publication = publish.publication
        await publisher.publish(processor.clocks.changelogMessages(publication.storedClocks)) { [self] in
            acknowledged(number)
        }
        // Encoded over the cores, in order: the next batch waits for these acknowledgements.
        let parts = await SplitWork.map(publication.upserted.decisions[...], minimumPerPart: 500) { [processor] decisions in
            processor.outcomes.decisions(decisions, in: publication.work, decidedAt: publication.decidedAt)
        }
        var messages = publication.work.messages
        messages.reserveCapacity(messages.count + parts.reduce(0) { $0 + $1.count })
        for part in parts { messages += part }
        await publisher.publish(messages) { [self] in acknowledged(number) }
    }

    /// A delivery report completed one part of batch `number`; commit it once the scheduler says so.
    private func acknowledged(_ number: UInt64) {
        guard let commit = schedule.withLock({ $0.acknowledged(number) }) else { return }
        consumer.markDone(commit.tickets)
        // Consume -> acknowledged result, per record.
        let now = DispatchTimeNanos.now
        for consumed in commit.consumedAt {
            processor.metrics.eventToResultFromConsumed.recordNanoseconds(Int64(now &- consumed))
        }
    }
}

/// A batch whose upsert is under way (its parts are child tasks of the loop).
struct BatchInFlight: Sendable {
    let number: UInt64
    var work: BatchProcessor.Work
    let started: ContinuousClock.Instant
}

/// A decided batch, to be published.
struct Publication: Sendable {
    let work: BatchProcessor.Work
    let upserted: BatchProcessor.Upserted
    let storedClocks: [(key: String, value: [UInt8])]
    let decidedAt: Timestamp
}

/// What a batch commits once its publication is acknowledged.
struct Commit: Sendable {
    let tickets: [OffsetTracker.Ticket]
    /// When each record was consumed (for the consume → result latency).
    let consumedAt: [UInt64]
}

/// Monotonic nanoseconds, the clock `KafkaRecord.consumedAtNanos` uses.
enum DispatchTimeNanos {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
