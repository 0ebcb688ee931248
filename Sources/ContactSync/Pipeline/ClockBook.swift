import ContactSyncCore
import Foundation

/// The pipeline's side of the durable field clocks: reads a batch's clocks
/// (memory cache, else the local store), and writes the clocks that changed
/// to the store and, as messages published with the batch's results, to the
/// changelog. The batch's offsets are committed only once those messages are
/// acknowledged, so a committed offset never outlives its clock.
struct ClockBook: Sendable {
    let store: ClockStore
    let changelog: ClockChangelog
    let topic: String
    /// Written into each changelog record, so this process skips its own records when tailing.
    let writerID: String
    let resendStored: Bool

    /// The stored clocks of these contacts (contacts with none are left out).
    func known(_ externalIDs: some Sequence<String>, cache: inout ClockCache) async throws -> [String: ContactClocks] {
        var known: [String: ContactClocks] = [:]
        var missing: [String] = []
        for id in externalIDs {
            if let clocks = cache.lookup(id) { known[id] = clocks } else { missing.append(id) }
        }
        if missing.isEmpty { return known }
        for (id, bytes) in try await store.load(missing) {
            guard let clocks = bytes.withUnsafeBytes({ ContactClocks(encoded: $0) }) else {
                throw ClockBookError(
                    "the clock store \(store.path) holds an unreadable value for \(id); rebuild it with `contact-sync clocks rebuild`")
            }
            known[id] = clocks
            cache.store(id, clocks)
        }
        return known
    }

    /// Stores the changed clocks (full clock sets) locally and returns their
    /// changelog messages. The store's write is queued, not awaited: the
    /// changelog is the durable copy (the batch's offsets wait for it), every
    /// later read of the store comes after the write, and a failed write
    /// fails the next call.
    func write(_ changed: [String: ContactClocks], cache: inout ClockCache) throws -> [OutgoingMessage] {
        try store.checkUnreportedFailure()
        if changed.isEmpty { return [] }
        var entries: [(key: String, value: [UInt8])] = []
        var messages: [OutgoingMessage] = []
        entries.reserveCapacity(changed.count)
        messages.reserveCapacity(changed.count)
        for (id, clocks) in changed {
            entries.append((id, clocks.encoded()))
            cache.store(id, clocks)
            let record = ClockChangelogRecord(externalID: id, clocks: clocks, writer: writerID)
            messages.append(OutgoingMessage(topic: topic, key: Array(id.utf8), value: record.jsonBytes()))
        }
        store.mergeWithoutWaiting(entries, using: ContactClocks.mergingEncoded)
        return messages
    }
}

struct ClockBookError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
