import ContactSyncCore
import Dispatch
import Logging
import Synchronization

/// The local store of every contact's field clocks, restored from and tailed
/// on the changelog topic. It knows nothing of clocks: values are opaque bytes,
/// merged by the function it is opened with.
///
/// The pipeline's writes (`mergeWithoutWaiting`) wait in memory, merged per
/// key, and go to SQLite together within `writeBackDelay` (or sooner, at
/// `writeBackLimit` keys, before any changelog positions, and at close): one
/// transaction a second instead of one per batch writes each changed page
/// once (about 10x less write-ahead log in the 200k benchmark). Their
/// durable copy is the changelog; positions are only ever stored with every
/// write before them, so a crash loses nothing the changelog replay misses.
///
/// Sendable without `@unchecked`: a SQLite connection must not be used by two
/// threads at once, and every call blocks on the disk, so all work runs on one
/// private serial queue (never on the cooperative pool); the `Mutex` around the
/// open database proves the exclusive access to the compiler, and on the
/// serial queue it is never contended.
public final class ClockStore: Sendable {
    public enum Opened: Sendable, Equatable {
        /// There was no store at the path: this one is new and empty.
        case created
        case existing
    }

    public let path: String
    public let opened: Opened
    public var wasCreated: Bool { opened == .created }

    private struct OpenStore {
        let database: ClockDatabase
        let lock: ClockStoreLock
    }

    /// value := merge(stored value or nil, incoming value). It must be
    /// associative, since writes waiting in memory are merged first.
    public typealias Merge = @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]

    private let queue: DispatchQueue
    private let state: Mutex<OpenStore?>
    private let merge: Merge
    /// Writes not yet in SQLite, per key merged.
    private struct WriteBack {
        struct Waiting {
            var value: [UInt8]
            /// Never stored nor queued before this write (see `ClockDatabase.Write`).
            let knownNew: Bool
        }
        var values: [String: Waiting] = [:]
        var delayedFlushQueued = false
        var immediateFlushQueued = false
    }
    private let writeBack = Mutex(WriteBack())
    static let writeBackDelay: DispatchTimeInterval = .seconds(1)
    /// The memory bound of the waiting writes (was 20,000: at 20,000 new
    /// contacts a second that held a second's writes, about 4 MB).
    static let writeBackLimit = 5_000
    /// The failure of a merge nobody waited for (`mergeWithoutWaiting`), thrown by every later call.
    private let unreportedFailure = Mutex<(any Error)?>(nil)
    /// Every key stored or queued to be (inserted before the write is queued):
    /// a read of keys it has never seen answers at once instead of waiting
    /// behind the queued writes. Most reads are of contacts new to the store.
    /// Nil once closed.
    private let keyFilter: Mutex<KeyPresenceFilter?>
    private let logger: Logger

    /// Opens (creating if the file does not exist) the store at `path` for
    /// changelog topic `topic`. Refuses a file that is not a sound store of
    /// ours for this topic, and a store another process has open. Blocks while
    /// SQLite checks the file (`PRAGMA quick_check` reads it whole): call it at
    /// start, not from the cooperative pool's hot path.
    public init(path: String, topic: String, cacheBytes: Int, logger: Logger, merge: @escaping Merge) throws {
        let files = ClockStoreFiles(main: path)
        let started = ContinuousClock.now
        let lock = try ClockStoreLock(files)
        let opened: Opened = files.mainExists ? .existing : .created
        if opened == .created { try ClockDatabase.create(files, topic: topic) }
        let database = try ClockDatabase.open(files, topic: topic, cacheBytes: cacheBytes)
        var filter = KeyPresenceFilter()
        try database.forEachKey { filter.insert($0) }
        self.path = path
        self.opened = opened
        self.logger = logger
        self.merge = merge
        logger.info(
            "clock store opened",
            metadata: [
                "path": "\(path)", "topic": "\(topic)", "created": "\(opened == .created)",
                "contacts": "\(database.contacts)", "bytes": "\(files.bytesOnDisk())",
                "took": "\(ContinuousClock.now - started)",
            ])
        queue = DispatchQueue(label: "clock-store")
        keyFilter = Mutex(filter)
        state = Mutex(OpenStore(database: database, lock: lock))
    }

    /// The values stored for these keys (absent keys are left out), writes
    /// still in memory included.
    public func load(_ keys: [String]) async throws -> [String: [UInt8]] {
        try checkUnreportedFailure()
        let maybeStored = try keyFilter.withLock { filter in
            guard let filter else { throw closedError }
            return keys.filter { filter.mayContain($0) }
        }
        if maybeStored.isEmpty { return [:] }
        return try await onQueue { [self] database in
            var found = try database.load(maybeStored)
            // On the queue, no write-back runs meanwhile: a key is in SQLite or here.
            writeBack.withLock { writeBack in
                for key in maybeStored {
                    guard let waiting = writeBack.values[key]?.value else { continue }
                    found[key] = waiting.withUnsafeBytes { waiting in
                        guard let stored = found[key] else { return Array(waiting) }
                        return stored.withUnsafeBytes { merge($0, waiting) }
                    }
                }
            }
            return found
        }
    }

    /// One transaction: the writes waiting in memory, then for each entry
    /// value := merge(existing value or nil, entry value), entries with the
    /// same key in the order given; and the changelog positions (partition ->
    /// next offset to read) are set in the same transaction, so a crash never
    /// separates them. The existing bytes are valid only during the call.
    /// Larger calls are cheaper per entry (restore: 25,000 entries a call).
    public func merge(_ entries: [(key: String, value: [UInt8])], positions: [Int32: Int64]) async throws {
        remember(entries)
        try await onQueue { [self] database in
            let waiting = takeWriteBack()
            if waiting.isEmpty {
                try database.merge(entries, positions: positions, using: merge)
            } else {
                try database.merge(waiting + entries.map { .init(key: $0.key, value: $0.value) }, positions: positions, using: merge)
            }
        }
    }

    /// The pipeline's writes, whose durable copy is the changelog: kept in
    /// memory (merged per key) and written within `writeBackDelay`, so a batch
    /// never waits for the disk. Every later `load` sees them; if writing them
    /// fails, every later call throws the error.
    ///
    /// `supersedingWaiting`: each value already holds everything a value still
    /// waiting for its key holds (the caller read the key, waiting values
    /// included, and extended it), so it replaces that value instead of being
    /// merged with it; in SQLite it is merged with the stored value as always.
    public func mergeWithoutWaiting(_ entries: [(key: String, value: [UInt8])], supersedingWaiting: Bool = false) {
        guard !entries.isEmpty else { return }
        guard let wereAbsent = remember(entries) else {
            unreportedFailure.withLock { $0 = $0 ?? closedError }
            return
        }
        let flush: DispatchTimeInterval? = writeBack.withLock { writeBack in
            for (entry, wasAbsent) in zip(entries, wereAbsent) {
                if let waiting = writeBack.values[entry.key] {
                    // Still waiting: known new as before, whatever the filter says now.
                    writeBack.values[entry.key]!.value =
                        supersedingWaiting
                        ? entry.value
                        : waiting.value.withUnsafeBytes { waiting in entry.value.withUnsafeBytes { merge(waiting, $0) } }
                } else {
                    writeBack.values[entry.key] = .init(value: entry.value, knownNew: wasAbsent)
                }
            }
            if writeBack.values.count >= Self.writeBackLimit {
                if writeBack.immediateFlushQueued { return nil }
                writeBack.immediateFlushQueued = true
                return .seconds(0)
            }
            if writeBack.delayedFlushQueued { return nil }
            writeBack.delayedFlushQueued = true
            return Self.writeBackDelay
        }
        guard let flush else { return }
        queue.asyncAfter(deadline: .now() + flush) { [self] in
            do {
                try run { database in
                    let waiting = takeWriteBack()
                    if !waiting.isEmpty { try database.merge(waiting, positions: [:], using: merge) }
                }
            } catch {
                unreportedFailure.withLock { $0 = $0 ?? error }
            }
        }
    }

    /// On the queue only: the writes waiting in memory, which the caller then writes.
    private func takeWriteBack() -> [ClockDatabase.Write] {
        writeBack.withLock { writeBack in
            defer { writeBack = WriteBack() }
            return writeBack.values.map { .init(key: $0.key, value: $0.value.value, knownNew: $0.value.knownNew) }
        }
    }

    /// Before the write is queued, so no read can skip the queue for these
    /// keys. Per entry, whether the filter had certainly never seen its key;
    /// nil once the store is closed.
    @discardableResult
    private func remember(_ entries: [(key: String, value: [UInt8])]) -> [Bool]? {
        keyFilter.withLock { filter in
            guard filter != nil else { return nil }
            return entries.map { filter!.insert($0.key) }
        }
    }

    /// Throws the failure of an earlier write-back (`mergeWithoutWaiting`), if any.
    public func checkUnreportedFailure() throws {
        if let failure = unreportedFailure.withLock({ $0 }) { throw failure }
    }

    /// Next changelog offset to read per partition, as last stored (empty for a new store).
    public func positions() async throws -> [Int32: Int64] {
        try await onQueue { try $0.positions() }
    }

    /// Contacts in the store (a counter, no scan) and the bytes on disk (main file + WAL).
    public func statistics() async throws -> (contacts: Int, bytes: Int64) {
        try await onQueue { ($0.contacts, $0.files.bytesOnDisk()) }
    }

    /// Writes what waits in memory, checkpoints the WAL into the main file,
    /// closes, and releases the lock; idempotent.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                closeOnQueue()
                continuation.resume()  // after closeOnQueue's return has released the lock
            }
        }
    }

    private func closeOnQueue() {
        keyFilter.withLock { $0 = nil }
        let waiting = takeWriteBack()
        let open = state.withLock { state in
            defer { state = nil }
            return state
        }
        guard let open else { return }
        if !waiting.isEmpty {
            do {
                try open.database.merge(waiting, positions: [:], using: merge)
            } catch {
                logger.warning("clock store: the last writes were not stored at close (the changelog has them)", metadata: ["error": "\(error)"])
            }
        }
        // The lock is released only once SQLite has closed the file.
        withExtendedLifetime(open.lock) {
            do {
                try open.database.close()
            } catch {
                logger.warning("clock store closed with an error", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Deletes the store's files (main, -wal, -shm, lock) at `path`: the reset
    /// command. Refuses while a process has the store open.
    public static func remove(at path: String) throws {
        let files = ClockStoreFiles(main: path)
        try withExtendedLifetime(ClockStoreLock(files)) {
            try files.remove(files.dataFiles)
            try files.remove([files.lock])
        }
    }

    private var closedError: ClockStoreError {
        ClockStoreError(kind: .closed, path: path, reason: "used after close()")
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (ClockDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                continuation.resume(with: Result { try run(body) })
            }
        }
    }

    /// On the queue only.
    private func run<T: Sendable>(_ body: @Sendable (ClockDatabase) throws -> T) throws -> T {
        try checkUnreportedFailure()
        return try state.withLock { open in
            guard let open else { throw closedError }
            return try body(open.database)
        }
    }
}

