import ContactSyncCore
import Dispatch
import Logging

/// Takes one batch of records through decode → fold → reconcile with memory →
/// define attributes → upsert, and returns the result and dead-letter messages
/// that account for every record in it.
struct BatchProcessor: Sendable {
    let configuration: ContactSyncConfiguration
    let registry: AttributeRegistry
    let executor: UpsertExecutor
    let health: ServiceHealth
    let logger: Logger
    let metrics: ServiceMetrics

    struct Summary: Sendable {
        var records = 0
        var contacts = 0
        var synced = 0
        var unchanged = 0
        var rejected = 0
        var failed = 0
        var requests = 0
        var abandoned = false
    }

    /// Process-wide state the batches share, owned by the consuming loop.
    struct Memory: Sendable {
        var contacts: ContactMemory
        var sequence: UInt64 = 0
    }

    func process(_ batch: RecordBatch, memory: inout Memory) async -> (messages: [OutgoingMessage], summary: Summary) {
        var summary = Summary()
        summary.records = batch.records.count
        var messages: [OutgoingMessage] = []
        messages.reserveCapacity(batch.records.count / 2 + 8)
        let now = Timestamp.now

        // 1. Decode and validate; bad records are rejected on their own.
        var folder = BatchFolder()
        for record in batch.records {
            memory.sequence += 1
            var decoded: Result<StoreEvent, DecodeFailure> = .failure(
                DecodeFailure(reason: RejectReason(code: "empty_value", message: "empty value"), eventID: nil, externalID: nil))
            record.value.withUnsafeBytes { decoded = EventDecoder.decode($0, limits: configuration.decodeLimits) }
            switch decoded {
            case .success(let event):
                folder.add(event, source: record.source, sequence: memory.sequence)
            case .failure(let failure):
                summary.rejected += 1
                let error = SyncError(code: failure.reason.code, message: failure.reason.message)
                messages.append(resultMessage(
                    externalID: failure.externalID, status: .rejected, eventIDs: failure.eventID.map { [$0] } ?? [],
                    sources: [record.source], attempts: 0, httpStatus: nil, error: error, ignored: [], at: now))
                messages.append(deadLetter(record, error: error, externalID: failure.externalID,
                                           eventIDs: failure.eventID.map { [$0] } ?? [], at: now))
                metrics.deadLetter(code: error.code)
            }
        }

        // 2. Fold per contact, and drop what Bookbag already has.
        let updates = folder.updates
        summary.contacts = updates.count
        var toSend: [ContactUpdate] = []
        for update in updates {
            metrics.eventsPerUpsert.record(update.eventCount)
            switch memory.contacts.reconcile(update) {
            case .unchanged:
                summary.unchanged += 1
                messages.append(resultMessage(
                    externalID: update.externalID, status: .unchanged, eventIDs: update.eventIDs, sources: update.sources,
                    attempts: 0, httpStatus: nil, error: nil, ignored: [], at: now))
            case .changed(let changed):
                toSend.append(changed)
            }
        }

        // 3. Define the attributes these updates carry, then 4. upsert.
        if !toSend.isEmpty {
            guard await defineAttributes(for: toSend) else {
                summary.abandoned = true
                return ([], summary)
            }
            var pending: [PendingContact] = []
            pending.reserveCapacity(toSend.count)
            for update in toSend {
                let (entry, ignored) = await registry.admit(update)
                pending.append(PendingContact(update: update, entry: entry, ignoredAttributes: ignored))
            }
            let chunks = UpsertRequest.chunks(pending.count, maxPerRequest: configuration.batching.upsertMaxUsers)
            summary.requests = chunks.count
            let decisions = await withTaskGroup(of: [ContactDecision].self) { group in
                for range in chunks {
                    let slice = Array(pending[range])
                    group.addTask { await executor.send(slice) }
                }
                var all: [ContactDecision] = []
                all.reserveCapacity(pending.count)
                for await chunk in group { all.append(contentsOf: chunk) }
                return all
            }
            if decisions.count < pending.count {
                // The shutdown deadline passed mid-batch: publish nothing for it.
                summary.abandoned = true
                return ([], summary)
            }
            let decidedAt = Timestamp.now
            var recordsBySource: [RecordSource: KafkaRecord]?
            for decision in decisions {
                metrics.eventToResultFromOccurred.recordNanoseconds(
                    decidedAt.nanosecondsSinceEpoch - decision.update.earliestOccurredAt.nanosecondsSinceEpoch)
                switch decision.status {
                case .synced:
                    summary.synced += 1
                    memory.contacts.remember(decision.update)
                case .rejected: summary.rejected += 1
                case .failed: summary.failed += 1
                case .unchanged: summary.unchanged += 1
                }
                messages.append(resultMessage(
                    externalID: decision.update.externalID, status: decision.status, eventIDs: decision.update.eventIDs,
                    sources: decision.update.sources, attempts: decision.attempts, httpStatus: decision.httpStatus,
                    error: decision.error, ignored: decision.ignoredAttributes, at: decidedAt))
                if let error = decision.error, decision.status == .rejected || decision.status == .failed {
                    if recordsBySource == nil {
                        recordsBySource = Dictionary(batch.records.map { ($0.source, $0) }, uniquingKeysWith: { a, _ in a })
                    }
                    for source in decision.update.sources {
                        guard let record = recordsBySource?[source] else { continue }
                        messages.append(deadLetter(record, error: error, externalID: decision.update.externalID,
                                                   eventIDs: decision.update.eventIDs, at: decidedAt))
                        metrics.deadLetter(code: error.code)
                    }
                }
            }
        }
        metrics.result(.synced, count: summary.synced)
        metrics.result(.unchanged, count: summary.unchanged)
        metrics.result(.rejected, count: summary.rejected)
        metrics.result(.failed, count: summary.failed)
        metrics.contactMemorySize.record(memory.contacts.count)
        return (messages, summary)
    }

    /// Retries until the definitions are in place, or the shutdown deadline passes.
    private func defineAttributes(for updates: [ContactUpdate]) async -> Bool {
        var attempt = 0
        var rng = SystemRandomNumberGenerator()
        while !executor.abandon.isSet {
            let failure: AttributeRegistry.Failure?
            do {
                try await registry.ensureDefined(for: updates)
                failure = nil
            } catch {
                failure = error
            }
            switch failure {
            case nil:
                return true
            case .configuration(let message):
                health.update { $0.bookbagConfigurationError = message }
                logger.error("Bookbag refused to list or define custom attributes (\(message)): check the key, chatbot id and base URL. Retrying in 10 s")
                await executor.abandon.sleep(for: .seconds(10))
            case .transient(let message):
                attempt += 1
                let delay = configuration.bookbag.retry.backoff(afterAttempt: attempt, using: &rng)
                logger.warning("custom attribute definitions not available (\(message)); retry in \(delay)")
                await executor.abandon.sleep(for: delay)
            }
        }
        return false
    }

    private func resultMessage(
        externalID: String?, status: SyncStatus, eventIDs: [String], sources: [RecordSource], attempts: Int,
        httpStatus: Int?, error: SyncError?, ignored: [String], at decidedAt: Timestamp
    ) -> OutgoingMessage {
        let record = ResultRecord(
            externalID: externalID, status: status, chatbotID: configuration.bookbag.chatbotID, eventIDs: eventIDs,
            sources: sources, attempts: attempts, httpStatus: httpStatus, error: error, ignoredAttributes: ignored,
            decidedAt: decidedAt)
        return OutgoingMessage(
            topic: configuration.kafka.resultTopic, key: externalID.map { Array($0.utf8) }, value: record.jsonBytes())
    }

    private func deadLetter(
        _ record: KafkaRecord, error: SyncError, externalID: String?, eventIDs: [String], at decidedAt: Timestamp
    ) -> OutgoingMessage {
        let letter = DeadLetterRecord(
            source: record.source, key: record.key, value: record.value, error: error, decidedAt: decidedAt,
            externalID: externalID, eventIDs: eventIDs)
        return OutgoingMessage(topic: configuration.kafka.deadLetterTopic, key: record.key, value: letter.jsonBytes())
    }
}
