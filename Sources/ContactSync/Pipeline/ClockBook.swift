import ContactSyncCore
import FoundationEssentials
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
    let resendStored: Bool
    /// How each of this process's changelog values begins (it names the
    /// writer, so the process skips its own records when tailing).
    private let recordPrefix: [UInt8]

    init(store: ClockStore, changelog: ClockChangelog, topic: String, writerID: String, resendStored: Bool) {
        self.store = store
        self.changelog = changelog
        self.topic = topic
        self.resendStored = resendStored
        recordPrefix = ClockChangelogRecord.ownRecordPrefix(writer: writerID)
    }

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
    /// after the write; a failed write fails the next call). Returns them
    /// encoded, for `changelogMessages`: one binary encoding serves the store,
    /// the cache and the changelog.
    func write(_ changed: [String: ContactClocks], cache: inout ClockCache) throws -> [(key: String, value: [UInt8])] {
        try store.checkUnreportedFailure()
        if changed.isEmpty { return [] }
        var entries: [(key: String, value: [UInt8])] = []
        entries.reserveCapacity(changed.count)
        for (id, clocks) in changed {
            let encoded = clocks.encoded()
            entries.append((id, encoded))
            cache.store(id, encoded: encoded)
        }
        // Each entry is the contact's full clock set, read (cache or store, writes
        // still waiting included) and extended: it supersedes a write still waiting.
        store.mergeWithoutWaiting(entries, supersedingWaiting: true)
        return entries
    }

    /// Changelog messages (keyed by external_id) of clocks `write` stored.
    func changelogMessages(_ entries: [(key: String, value: [UInt8])]) -> [OutgoingMessage] {
        entries.map { entry in
            OutgoingMessage(
                topic: topic, key: Array(entry.key.utf8),
                value: ClockChangelogRecord.binaryValue(prefix: recordPrefix, encodedClocks: entry.value))
        }
    }
}

struct ClockBookError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
