import ContactSyncCore
import FoundationEssentials
import Logging

/// Operator commands on the local clock store (`contact-sync clocks ...`).
public enum ClockMaintenance {
    public struct Rebuilt: Sendable {
        public var contacts: Int
        public var bytes: Int64
        public var duration: Duration
    }

    /// Deletes the local store and builds it again from the whole changelog,
    /// then exits: the documented first-run or reset command. Refuses while a
    /// replica runs on the same store (its lock is held).
    public static func rebuild(configuration: ContactSyncConfiguration, logger: Logger) async throws -> Rebuilt {
        let clocks = configuration.clocks
        // A running replica holds the store's lock: its store is never deleted under it.
        _ = try ClockStoreLock(ClockStoreFiles(main: clocks.storePath))
        try ClockStore.remove(at: clocks.storePath)
        let started = ContinuousClock.now
        let store = try ClockStore(
            path: clocks.storePath, topic: clocks.topic, cacheBytes: clocks.storeCacheBytes, logger: logger,
            merge: ContactClocks.mergingEncoded)
        let changelog = try ClockChangelog(
            settings: ClockChangelog.Settings(
                topic: clocks.topic, properties: KafkaProperties.clockChangelog(configuration.kafka),
                writerID: UUID().uuidString, storePath: clocks.storePath),
            store: store, logger: logger, metrics: ServiceMetrics())
        do {
            let ends = try await changelog.start()
            let tail = Task { try await changelog.tail() }
            defer { tail.cancel() }
            try await changelog.waitUntilApplied(ends)
            tail.cancel()
            _ = try? await tail.value
            let statistics = try await store.statistics()
            await changelog.close()
            await store.close()
            return Rebuilt(contacts: statistics.contacts, bytes: statistics.bytes, duration: ContinuousClock.now - started)
        } catch {
            await changelog.close()
            await store.close()
            throw error
        }
    }
}
