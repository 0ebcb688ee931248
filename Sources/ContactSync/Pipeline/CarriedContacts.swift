import ContactSyncCore

/// Contacts of a batch that wait for the batch in flight (it holds an earlier
/// update of theirs), carried into the next batch instead of sent on their own
/// once it is decided. The next batch's events for them fold on, so a contact
/// that is in every batch of a backlog (Zipf's hot customers) is sent every
/// other batch: fewer users per event without holding more records. Their
/// records and tickets go with them, so they are committed with the batch that
/// decides them. At the batch ceiling, the contacts a batch sees first are
/// carried the same way (`holdingNew`).
struct CarriedContacts: Sendable {
    var updates: [ContactUpdate]
    var records: [KafkaRecord]
    var tickets: [OffsetTracker.Ticket]
}

extension CarriedContacts {
    /// Splits `updates` (contacts free to send) into those `carriedIn` from
    /// the batch before, to send now, and those this batch saw first, to hold
    /// for one more batch. In a backlog at the batch ceiling a contact seen
    /// once is often seen again in the next batch (Zipf's head and middle), so
    /// holding it folds two batches' events into one update, as a batch twice
    /// as large would, while each batch decodes, reconciles and reports no
    /// more contacts than before. A contact is held once: the
    /// next batch sends it (unless its earlier update is in flight).
    static func holdingNew(_ updates: [ContactUpdate], carriedIn: CarriedContacts?) -> (send: [ContactUpdate], hold: [ContactUpdate]) {
        guard let carriedIn, !carriedIn.updates.isEmpty else { return ([], updates) }
        let old = Set(carriedIn.updates.lazy.map(\.externalID))
        var send: [ContactUpdate] = []
        var hold: [ContactUpdate] = []
        send.reserveCapacity(min(old.count, updates.count))
        hold.reserveCapacity(updates.count)
        for update in updates {
            if old.contains(update.externalID) { send.append(update) } else { hold.append(update) }
        }
        return (send, hold)
    }
}

extension BatchProcessor.Work {
    /// Takes `waiting` (this batch's updates of contacts in flight, and of
    /// those held at the ceiling; not yet reconciled) out of the batch with
    /// their records; `free` stays.
    mutating func carryOut(_ waiting: [ContactUpdate], keeping free: [ContactUpdate]) -> CarriedContacts {
        var carriedSources = Set<CarriedSource>()
        carriedSources.reserveCapacity(waiting.reduce(0) { $0 + $1.sources.count })
        for update in waiting {
            for source in update.sources { carriedSources.insert(CarriedSource(source)) }
        }
        var carried = CarriedContacts(updates: waiting, records: [], tickets: [])
        carried.records.reserveCapacity(carriedSources.count)
        carried.tickets.reserveCapacity(carriedSources.count)
        // In place (the batch's arrays are usually its own after `decodeAndFold`
        // joined the carried-in records to the delivered ones).
        batch.removeRecords(where: { record, _ in carriedSources.contains(CarriedSource(record.source)) }) { record, ticket in
            carried.records.append(record)
            carried.tickets.append(ticket)
        }
        updates = free
        summary.records = batch.records.count
        summary.contacts = free.count
        return carried
    }
}

/// A record's source as a set member hashed by partition and offset only:
/// the topic, a string, is compared on a match (a batch reads a few topics),
/// not hashed for each of the batch's records (perf: a third of `carryOut`).
private struct CarriedSource: Hashable {
    let source: RecordSource

    init(_ source: RecordSource) { self.source = source }

    func hash(into hasher: inout Hasher) {
        hasher.combine(source.offset)
        hasher.combine(source.partition)
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.source.offset == rhs.source.offset && lhs.source.partition == rhs.source.partition
            && lhs.source.topic == rhs.source.topic
    }
}
