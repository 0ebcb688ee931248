import ContactSyncCore

/// The order of work from a delivered batch to its commit, decided without
/// I/O; `ContactSyncService` performs what it says.
///
/// - **Starting.** One batch is in flight (its upsert under way) while the
///   next is prepared. The next batch's contacts that are in flight wait for
///   its decisions, so an older update never lands after a newer one. A new
///   assignment first finishes what is in flight and brings the field clocks
///   up to date, since the partitions' previous owner may have moved them.
/// - **Publishing.** A decided batch's messages (clock records, results, dead
///   letters) are handed to the producer after those of every batch decided
///   before it, so a contact's results reach the topic in the order they were
///   decided; one batch is handed over at a time, beside the next batch's work.
/// - **Committing.** A batch's records may be committed once the broker has
///   acknowledged every part of its publication; never before.
struct BatchScheduler<InFlight: Sendable, Publication: Sendable, Commit: Sendable>: Sendable {
    private var inFlight: (work: InFlight, contacts: Set<String>)?
    /// The consumer's assignment epoch (see `ConsumerStateMachine`) whose clocks are caught up.
    private(set) var caughtUpEpoch: UInt64 = 0

    private var lastDecided: UInt64 = 0
    /// Decided batches waiting for the one being handed over, oldest first.
    private var queued: [(number: UInt64, publication: Publication)] = []
    private var handingOver = false
    /// Decided batches whose publication is not yet acknowledged in full.
    private var unacknowledged: [UInt64: (parts: Int, commit: Commit)] = [:]

    enum Arrival {
        /// Prepare and start the batch.
        case start
        /// Finish `finishing` (when there is one), catch the clocks up, call `caughtUp(to:)`, then start.
        case catchUpFirst(finishing: InFlight?, epoch: UInt64)
        /// Nothing in it (its records were revoked): nothing to do.
        case skip
    }

    /// Hand a decided batch's publication to the producer; call
    /// `handedOver()` when done. Its acknowledgements name `number`.
    struct Publish {
        let number: UInt64
        let publication: Publication
    }

    // MARK: - starting

    /// A batch of `recordCount` records was delivered under assignment `epoch`.
    mutating func arrived(epoch: UInt64, recordCount: Int) -> Arrival {
        if recordCount == 0 { return .skip }
        if epoch != caughtUpEpoch { return .catchUpFirst(finishing: takeInFlight(), epoch: epoch) }
        return .start
    }

    mutating func caughtUp(to epoch: UInt64) {
        caughtUpEpoch = epoch
    }

    /// The updates that may be decided and sent now, and those that wait for
    /// the batch in flight (it holds an earlier update of their contact).
    func split(_ updates: [ContactUpdate]) -> (free: [ContactUpdate], waiting: [ContactUpdate]) {
        guard let busy = inFlight?.contacts, !busy.isEmpty else { return (updates, []) }
        var free: [ContactUpdate] = []
        var waiting: [ContactUpdate] = []
        free.reserveCapacity(updates.count)
        for update in updates {
            if busy.contains(update.externalID) { waiting.append(update) } else { free.append(update) }
        }
        return (free, waiting)
    }

    /// The batch in flight, to be finished now: before waiting for the next
    /// batch (so waiting adds no latency to it), once the next batch's free
    /// updates are on their way, or when the stream ends.
    mutating func takeInFlight() -> InFlight? {
        defer { inFlight = nil }
        return inFlight?.work
    }

    /// The batch just started is in flight, with every one of its contacts,
    /// sent or not: an unchanged one may still move its clocks forward.
    mutating func started(_ work: InFlight, contacts: Set<String>) {
        precondition(inFlight == nil, "the batch in flight is finished before the next one starts")
        inFlight = (work, contacts)
    }

    // MARK: - publishing and committing

    /// A batch is decided. Its publication comes in `parts` acknowledged
    /// separately; `commit` is returned once all are. Returns the publication
    /// to hand over now, or nil when it waits for the batches before it.
    mutating func decided(_ publication: Publication, parts: Int, commit: Commit) -> Publish? {
        precondition(parts > 0, "a publication has at least one part")
        lastDecided += 1
        unacknowledged[lastDecided] = (parts, commit)
        if handingOver {
            queued.append((lastDecided, publication))
            return nil
        }
        handingOver = true
        return Publish(number: lastDecided, publication: publication)
    }

    /// The publication handed over last is with the producer: the next one
    /// decided, if any, goes now.
    mutating func handedOver() -> Publish? {
        precondition(handingOver, "handedOver() follows a Publish")
        guard !queued.isEmpty else {
            handingOver = false
            return nil
        }
        let next = queued.removeFirst()
        return Publish(number: next.number, publication: next.publication)
    }

    /// One part of batch `number`'s publication is acknowledged by the broker.
    /// Returns what may be committed once that was its last part.
    mutating func acknowledged(_ number: UInt64) -> Commit? {
        guard var entry = unacknowledged[number] else {
            assertionFailure("batch \(number) is not awaiting acknowledgement")
            return nil
        }
        entry.parts -= 1
        guard entry.parts == 0 else {
            unacknowledged[number] = entry
            return nil
        }
        unacknowledged[number] = nil
        return entry.commit
    }

    /// Decided batches not yet acknowledged in full.
    var awaitingAcknowledgement: Int { unacknowledged.count }
}
