import ContactSyncCore

/// The order of work in the consuming loop, decided without I/O;
/// `ContactSyncService` performs what it says. One batch is in flight (its
/// upsert under way) while the next is prepared. The next batch's contacts
/// that are in flight wait for its decisions, so an older update never lands
/// after a newer one. A new assignment first finishes what is in flight and
/// brings the field clocks up to date, since the partitions' previous owner
/// may have moved them.
struct BatchScheduler<InFlight: Sendable>: Sendable {
    private var inFlight: (work: InFlight, contacts: Set<String>)?
    /// The consumer's assignment epoch (see `ConsumerStateMachine`) whose clocks are caught up.
    private(set) var caughtUpEpoch: UInt64 = 0

    enum Arrival {
        /// Prepare and start the batch.
        case start
        /// Finish `finishing` (when there is one), catch the clocks up, call `caughtUp(to:)`, then start.
        case catchUpFirst(finishing: InFlight?, epoch: UInt64)
        /// Nothing in it (its records were revoked): nothing to do.
        case skip
    }

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
}
