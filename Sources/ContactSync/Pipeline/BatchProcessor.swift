import ContactSyncCore
import Dispatch
import Logging

/// The stages one batch of records goes through: decode → fold → reconcile
/// with the field clocks → define attributes and upsert → record the decisions
/// (`OutcomeMessages`) so that every record in it is accounted for, and the
/// changed clocks. The loop overlaps one batch's upsert with the next
/// batch's preparation.
struct BatchProcessor: Sendable {
    let configuration: ContactSyncConfiguration
    let clocks: ClockBook
    let registry: AttributeRegistry
    let executor: UpsertExecutor
    let logger: Logger
    let metrics: ServiceMetrics
    /// Results and dead letters of the batch's records and decisions.
    let outcomes: OutcomeMessages

    struct Summary: Sendable {
        /// Records decided with the batch (carried ones included).
        var records = 0
        /// Records the consumer delivered in it: the batch size (`contact_sync_batch_records`).
        var delivered = 0
        var contacts = 0
        var synced = 0
        var unchanged = 0
        var rejected = 0
        var failed = 0
        /// Requests planned (a refused request split in halves makes more).
        var requests = 0
    }

    /// Process-wide state the batches share, owned by the consuming loop.
    struct Memory: Sendable {
        /// Field clocks of recently decided contacts, in front of the clock store.
        var clocks: ClockCache
        var sequence: UInt64 = 0
        /// When input keyed otherwise than by `external_id` was last logged (once a minute at most).
        var lastKeyingWarning: ContinuousClock.Instant?
    }

    /// A batch between its stages: its records, the messages decided so far
    /// (decode rejects, unchanged contacts), its folded updates, and its counts.
    struct Work: Sendable {
        /// Its records (with any carried into it), each with its ticket.
        var batch: RecordBatch
        var messages: [OutgoingMessage] = []
        var summary = Summary()
        var updates: [ContactUpdate] = []
        /// The stored clocks of the batch's contacts that have any.
        var known: [String: ContactClocks] = [:]
        /// Clocks that move forward although nothing is sent (an equal value, newer).
        var advanced: [String: ContactClocks] = [:]
        /// Contacts found already stored: their clocks are published again, in
        /// case the local store got them and the changelog did not (a crash
        /// between the two; their offsets were not committed then).
        var alreadyStored: [String] = []
    }

    /// Stage 1: decode and validate (bad records are rejected on their own),
    /// then fold per contact, going on from the contacts `carried` from the
    /// batch before (their events were read first). Both run over the cores:
    /// decoding by slices of the batch (`SplitWork`), folding by contact
    /// (`ContactFolders`: each contact's events in record order). Below
    /// `foldOverCoresFrom` delivered records one folder keeps the contacts in
    /// order of first appearance; no stage depends on that order.
    func decodeAndFold(_ delivered: consuming RecordBatch, carried: CarriedContacts? = nil, memory: inout Memory) async -> Work {
        var batch = consume delivered
        let deliveredCount = batch.records.count
        if let carried {
            // After the delivered records, not before: no stage depends on the
            // order of a batch's records, and the delivered ones are not copied.
            batch.records += carried.records
            batch.tickets += carried.tickets
        }
        var work = Work(batch: batch)
        work.summary.records = batch.records.count
        work.summary.delivered = deliveredCount
        work.messages.reserveCapacity(deliveredCount / 2 + 8)
        let now = Timestamp.now
        let folders = ContactFolders(
            count: deliveredCount >= Self.foldOverCoresFrom ? SplitWork.cores : 1, continuing: carried?.updates ?? [])
        var notKeyedByExternalID: [String: Int] = [:]
        let limits = configuration.decodeLimits
        var chunkStart = 0
        while chunkStart < deliveredCount {
            let chunk = batch.records[chunkStart..<min(chunkStart + Self.decodeChunk, deliveredCount)]
            chunkStart = chunk.endIndex
            let parts = await SplitWork.map(chunk, minimumPerPart: Self.decodeChunk / 8) { records in
                records.map { Self.decode($0, limits: limits) }
            }
            // In record order: rejects, keying, and each event's folder.
            var eventFolders = [UInt8](repeating: 0, count: chunk.count)
            var index = 0
            for part in parts {
                for decoded in part {
                    let record = chunk[chunk.startIndex + index]
                    switch decoded {
                    case .success(let event):
                        if !Self.isKeyed(record, by: event.externalID) { notKeyedByExternalID[record.topic, default: 0] += 1 }
                        eventFolders[index] = folders.folder(of: event.externalID)
                    case .failure(let failure):
                        reject(record, failure, &work, at: now)
                    }
                    index += 1
                }
            }
            // Every record takes a sequence number, rejected ones too.
            let firstSequence = memory.sequence
            memory.sequence += UInt64(chunk.count)
            await folders.fold(parts, of: chunk, eventFolders: eventFolders, firstSequence: firstSequence)
        }
        work.updates = folders.updates
        work.summary.contacts = work.updates.count
        if !notKeyedByExternalID.isEmpty { reportKeying(notKeyedByExternalID, memory: &memory) }
        return work
    }

    /// Records decoded at once, in parts over the cores: a bound on the events
    /// alive before they fold (about 1 MB), large enough that a part pays for its task.
    static let decodeChunk = 4096

    /// Delivered records from which a batch folds over the cores: below it a
    /// part would not pay for its task.
    static let foldOverCoresFrom = 1024

    static func decode(_ record: KafkaRecord, limits: DecodeLimits) -> Result<StoreEvent, DecodeFailure> {
        if record.valueIsNull { return .failure(DecodeFailure(reason: .tombstone)) }
        return record.withValueBytes { EventDecoder.decode($0, limits: limits) }
    }

    /// Rejects a record that did not decode: a result and a dead letter.
    private func reject(_ record: KafkaRecord, _ failure: DecodeFailure, _ work: inout Work, at now: Timestamp) {
        work.summary.rejected += 1
        let error = SyncError(code: failure.reason.code, message: failure.reason.message)
        work.messages += outcomes.results(
            externalID: failure.externalID, status: .rejected, eventIDs: failure.eventID.map { [$0] } ?? [],
            sources: [record.source], attempts: 0, httpStatus: nil, error: error, ignored: [], reason: nil, at: now)
        work.messages.append(outcomes.deadLetter(record, error: error, externalID: failure.externalID,
                                        eventIDs: failure.eventID.map { [$0] } ?? [], at: now))
        metrics.deadLetter(code: error.code)
    }

    /// Whether a record's Kafka key is its `external_id`, as contracts section 1
    /// asks, so that one customer's events stay in one partition.
    static func isKeyed(_ record: KafkaRecord, by externalID: String) -> Bool {
        record.keyEquals(externalID.utf8)
    }

    /// Input keyed otherwise still syncs, but loses per-customer order across
    /// partitions (and replicas): count it, and say so once a minute at most.
    private func reportKeying(_ counts: [String: Int], memory: inout Memory) {
        for (topic, count) in counts { metrics.notKeyedByExternalID(topic: topic, count: count) }
        let now = ContinuousClock.now
        if let last = memory.lastKeyingWarning, now - last < .seconds(60) { return }
        memory.lastKeyingWarning = now
        let topics = counts.keys.sorted().map { "\($0) (\(counts[$0]!))" }.joined(separator: ", ")
        logger.warning(
            "records not keyed by their external_id in \(topics): one customer's events may then land in several partitions and be applied out of order; producers should key records by external_id (contact_sync_records_not_keyed_by_external_id_total counts them)")
    }

    /// Stage 2: reads the contacts' field clocks and drops what Bookbag already
    /// has or holds newer; returns the updates still to send. Call it for a
    /// contact only once every earlier update of that contact is decided.
    func reconcile(_ updates: [ContactUpdate], in work: inout Work, memory: inout Memory) async throws -> [ContactUpdate] {
        if updates.isEmpty { return [] }
        let known = try await clocks.known(updates.lazy.map(\.externalID), cache: &memory.clocks)
        let now = Timestamp.now
        var toSend: [ContactUpdate] = []
        toSend.reserveCapacity(updates.count)
        for update in updates {
            metrics.eventsPerUpsert.record(update.eventCount)
            let stored = known[update.externalID]
            if let stored { work.known[update.externalID] = stored }
            let decision = ClockReconciler.decide(update, against: stored, resendStored: clocks.resendStored)
            if decision.refusedAsOlder > 0 { metrics.fieldsRefusedAsOlder(decision.refusedAsOlder) }
            if !decision.advanced.isEmpty { work.advanced[update.externalID] = decision.advanced }
            switch decision {
            case .unchanged(let reason, _, _):
                work.summary.unchanged += 1
                switch reason {
                case .olderThanStored: metrics.refusedAsOlder(events: update.eventCount)
                case .alreadyStored: if stored != nil { work.alreadyStored.append(update.externalID) }
                }
                work.messages += outcomes.results(
                    externalID: update.externalID, status: .unchanged, eventIDs: update.eventIDs, sources: update.sources,
                    attempts: 0, httpStatus: nil, error: nil, ignored: [], reason: reason.rawValue, at: now)
            case .send(let kept, _, _):
                toSend.append(kept)
            }
        }
        return toSend
    }

    /// Stage 3: defines the attributes the updates carry, then upserts them in
    /// requests of the adaptive request size: spread over the requests in
    /// flight, within `UPSERT_MIN_USERS`...`UPSERT_MAX_USERS`. Nil when the shutdown deadline passed first.
    func upsert(_ updates: [ContactUpdate]) async -> Upserted? {
        if updates.isEmpty { return Upserted() }
        guard await registry.defineRetrying(for: updates) else { return nil }
        let pending = await registry.admit(updates)
        let chunks = UpsertRequest.chunks(pending.count, maxPerRequest: await executor.usersPerRequest(for: pending.count))
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
        // Fewer decisions than contacts: the shutdown deadline passed mid-batch.
        return decisions.count < pending.count ? nil : Upserted(decisions: decisions, requests: chunks.count)
    }

    struct Upserted: Sendable {
        var decisions: [ContactDecision] = []
        /// Requests planned (a refused request split in halves makes more).
        var requests = 0

        static func + (a: Upserted, b: Upserted) -> Upserted {
            Upserted(decisions: a.decisions + b.decisions, requests: a.requests + b.requests)
        }
    }

    /// Stage 4, on the loop: counts the decisions and returns the full clock
    /// sets that changed: what Bookbag now holds. Their messages are made
    /// off the loop (`decisionMessages`).
    func record(_ upserted: Upserted, in work: inout Work, decidedAt: Timestamp) -> [String: ContactClocks] {
        work.summary.requests += upserted.requests
        var changed: [String: ContactClocks] = [:]
        for id in work.alreadyStored { changed[id] = work.known[id] }
        for (id, advanced) in work.advanced {
            var clocks = work.known[id] ?? ContactClocks()
            clocks.merge(advanced)
            changed[id] = clocks
        }
        for decision in upserted.decisions {
            // An occurred_at in the future (a producer's clock ahead) would be a
            // negative latency, which the Prometheus histogram cannot print: the
            // next scrape of /metrics crashed the service.
            metrics.eventToResultFromOccurred.recordNanoseconds(
                max(0, decidedAt.nanosecondsSinceEpoch &- decision.update.earliestOccurredAt.nanosecondsSinceEpoch))
            switch decision.status {
            case .synced:
                work.summary.synced += 1
                let id = decision.update.externalID
                var clocks = changed[id] ?? work.known[id] ?? ContactClocks()
                // Only what Bookbag was sent: an attribute left out (undefined, wrong
                // type, archived) is not stored, and a later value must still go.
                var stored = decision.update
                for name in decision.ignoredAttributes { stored.fields[.attribute(name)] = nil }
                clocks.record(stored: stored)
                changed[id] = clocks
            case .rejected: work.summary.rejected += 1
            case .failed: work.summary.failed += 1
            case .unchanged: work.summary.unchanged += 1
            }
        }
        return changed
    }

    /// Counts a finished batch in the metrics.
    func count(_ work: Work, memory: Memory) {
        // The carried contacts going alone are no delivered batch.
        if work.summary.delivered > 0 { metrics.batchSize.record(work.summary.delivered) }
        metrics.result(.synced, count: work.summary.synced)
        metrics.result(.unchanged, count: work.summary.unchanged)
        metrics.result(.rejected, count: work.summary.rejected)
        metrics.result(.failed, count: work.summary.failed)
        metrics.contactMemorySize.record(memory.clocks.count)
    }
}
