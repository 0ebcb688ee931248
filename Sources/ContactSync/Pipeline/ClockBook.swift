import ContactSyncCore
import Foundation
import Synchronization

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

    /// Stores the changed clocks (full clock sets): in the cache now, in the
    /// local store queued, not awaited (the changelog is the durable copy, the
    /// batch's offsets wait for it, and every later read of the store comes
    /// after the write; a failed write fails the next call). Returns their
    /// changelog records, to be encoded and published off the batch's path
    /// (`changelogMessages`).
    func write(_ changed: [String: ContactClocks], cache: inout ClockCache) throws -> [ClockChangelogRecord] {
        try store.checkUnreportedFailure()
        if changed.isEmpty { return [] }
        var entries: [(key: String, value: [UInt8])] = []
        var records: [ClockChangelogRecord] = []
        entries.reserveCapacity(changed.count)
        records.reserveCapacity(changed.count)
        for (id, clocks) in changed {
            let encoded = clocks.encoded()
            entries.append((id, encoded))
            cache.store(id, encoded: encoded)
            records.append(ClockChangelogRecord(externalID: id, clocks: clocks, writer: writerID))
        }
        store.mergeWithoutWaiting(entries, using: ContactClocks.mergingEncoded)
        return records
    }

    /// The records as changelog messages (JSON, keyed by external_id).
    func changelogMessages(_ records: [ClockChangelogRecord]) -> [OutgoingMessage] {
        records.map { OutgoingMessage(topic: topic, key: Array($0.externalID.utf8), value: $0.jsonBytes()) }
    }
}

/// Publishes each batch's changelog records in batch order, each after the
/// one before, on a task of its own: the encoding and the producing run beside
/// the next batch instead of before it.
final class ClockPublishChain: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    func enqueue(_ body: @escaping @Sendable () async -> Void) {
        last.withLock { last in
            let previous = last
            last = Task {
                await previous?.value
                await body()
            }
        }
    }

    /// Returns once everything enqueued so far is handed to the producer.
    func drain() async {
        await last.withLock { $0 }?.value
    }
}

struct ClockBookError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
