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
    let health: ServiceHealth
    let logger: Logger
    let abandon: AbandonSignal

    init(
        configuration: ContactSyncConfiguration, consumer: KafkaConsumer, publisher: ResultPublisher,
        processor: BatchProcessor, health: ServiceHealth, logger: Logger, abandon: AbandonSignal
    ) {
        self.configuration = configuration
        self.consumer = consumer
        self.publisher = publisher
        self.processor = processor
        self.health = health
        self.logger = logger
        self.abandon = abandon
    }

    public func run() async throws {
        try consumer.start()
        health.update { $0.consumerRunning = true }
        logger.info(
            "contact-sync running",
            metadata: [
                "topics": "\(configuration.kafka.topics.joined(separator: ","))",
                "group": "\(configuration.kafka.groupID)", "librdkafka": "\(RDKafkaVersion.string)",
            ])

        let deadlineTask = Mutex<Task<Void, Never>?>(nil)
        await withGracefulShutdownHandler {
            await consumeLoop()
        } onGracefulShutdown: { [consumer, abandon, logger, configuration, health] in
            logger.info("shutdown requested: no more fetching; finishing the batch in hand")
            consumer.stopFetching()
            if let problem = health.snapshot.bookbagConfigurationError {
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

        let undelivered = await publisher.flush(timeout: configuration.shutdownTimeout)
        if undelivered > 0 {
            logger.warning("\(undelivered) result(s) not acknowledged at shutdown; their records stay uncommitted")
        }
        await consumer.close()
        deadlineTask.withLock { $0?.cancel() }
        health.update { $0.consumerRunning = false }
        logger.info("contact-sync stopped")
    }

    private func consumeLoop() async {
        var memory = BatchProcessor.Memory(contacts: ContactMemory(capacity: configuration.contactMemoryCapacity))
        while let batch = await consumer.nextBatch() {
            if batch.records.isEmpty { continue }
            let started = ContinuousClock.now
            processor.metrics.batchSize.record(batch.records.count)
            let (messages, summary) = await processor.process(batch, memory: &memory)
            if summary.abandoned { break }
            let tickets = batch.tickets
            let consumedAt = batch.records.map(\.consumedAtNanos)
            await publisher.publish(messages) { [consumer, metrics = processor.metrics] in
                consumer.markDone(tickets)
                // Consume -> acknowledged result, per record.
                let now = DispatchTimeNanos.now
                for consumed in consumedAt { metrics.eventToResultFromConsumed.recordNanoseconds(Int64(now &- consumed)) }
            }
            logger.info(
                "batch done",
                metadata: [
                    "records": "\(summary.records)", "contacts": "\(summary.contacts)",
                    "requests": "\(summary.requests)", "synced": "\(summary.synced)",
                    "unchanged": "\(summary.unchanged)", "rejected": "\(summary.rejected)",
                    "failed": "\(summary.failed)",
                    "duration_ms": "\((ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000 + (ContinuousClock.now - started).components.seconds * 1000)",
                ])
        }
    }
}

/// Monotonic nanoseconds, the clock `KafkaRecord.consumedAtNanos` uses.
enum DispatchTimeNanos {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
