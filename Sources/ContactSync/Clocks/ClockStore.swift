import Dispatch
import Logging
import Synchronization

/// The local store of every contact's field clocks, restored from and tailed
/// on the changelog topic. It knows nothing of clocks: values are opaque bytes,
/// merged by a closure the caller passes.
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

    private let queue: DispatchQueue
    private let state: Mutex<OpenStore?>
    /// The failure of a merge nobody waited for (`mergeWithoutWaiting`), thrown by every later call.
    private let unreportedFailure = Mutex<(any Error)?>(nil)
    private let logger: Logger

    /// Opens (creating if the file does not exist) the store at `path` for
    /// changelog topic `topic`. Refuses a file that is not a sound store of
    /// ours for this topic, and a store another process has open. Blocks while
    /// SQLite checks the file (`PRAGMA quick_check` reads it whole): call it at
    /// start, not from the cooperative pool's hot path.
    public init(path: String, topic: String, cacheBytes: Int, logger: Logger) throws {
        let files = ClockStoreFiles(main: path)
        let started = ContinuousClock.now
        let lock = try ClockStoreLock(files)
        let opened: Opened = files.mainExists ? .existing : .created
        if opened == .created { try ClockDatabase.create(files, topic: topic) }
        let database = try ClockDatabase.open(files, topic: topic, cacheBytes: cacheBytes)
        self.path = path
        self.opened = opened
        self.logger = logger
        logger.info(
            "clock store opened",
            metadata: [
                "path": "\(path)", "topic": "\(topic)", "created": "\(opened == .created)",
                "contacts": "\(database.contacts)", "bytes": "\(files.bytesOnDisk())",
                "took": "\(ContinuousClock.now - started)",
            ])
        queue = DispatchQueue(label: "clock-store")
        state = Mutex(OpenStore(database: database, lock: lock))
    }

    /// The values stored for these keys (absent keys are left out).
    public func load(_ keys: [String]) async throws -> [String: [UInt8]] {
        try await onQueue { try $0.load(keys) }
    }

    /// One transaction: for each entry, value := merge(existing value or nil,
    /// entry value), entries with the same key in the order given; and the
    /// changelog positions (partition -> next offset to read) are set in the
    /// same transaction, so a crash never separates the two. The existing bytes
    /// are valid only during the call. Larger calls are cheaper per entry
    /// (restore: 50,000 entries a call).
    public func merge(
        _ entries: [(key: String, value: [UInt8])], positions: [Int32: Int64],
        using merge: @escaping @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) async throws {
        try await onQueue { try $0.merge(entries, positions: positions, using: merge) }
    }

    /// `merge` (without positions), queued without waiting for it: the
    /// pipeline's writes, whose durable copy is the changelog, so a batch does
    /// not wait for the disk. Every later call runs after it and sees its
    /// values; if it fails, every later call throws its error.
    public func mergeWithoutWaiting(
        _ entries: [(key: String, value: [UInt8])],
        using merge: @escaping @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) {
        queue.async { [self] in
            do {
                try run { try $0.merge(entries, positions: [:], using: merge) }
            } catch {
                unreportedFailure.withLock { $0 = $0 ?? error }
            }
        }
    }

    /// Throws the failure of an earlier `mergeWithoutWaiting`, if any.
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

    /// Checkpoints the WAL into the main file, closes, and releases the lock; idempotent.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                closeOnQueue()
                continuation.resume()  // after closeOnQueue's return has released the lock
            }
        }
    }

    private func closeOnQueue() {
        let open = state.withLock { state in
            defer { state = nil }
            return state
        }
        guard let open else { return }
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
            guard let open else {
                throw ClockStoreError(kind: .closed, path: path, reason: "used after close()")
            }
            return try body(open.database)
        }
    }
}

