import FoundationEssentials
import Glibc

/// The clock store's tables on one SQLite connection: contacts' clocks as
/// opaque bytes, the changelog positions, and a meta table (topic, contact
/// count). Not thread-safe: `ClockStore` confines it to its serial queue.
final class ClockDatabase {
    /// "CSCK" in the file header: marks a SQLite file as a contact-sync clock store.
    static let applicationID: Int32 = 0x4353_434B
    static let schemaVersion = 1
    static let checkpointPages = 8192

    let files: ClockStoreFiles
    private let connection: SQLiteConnection
    /// Contacts in the store: read at open, then kept by `merge` (this process
    /// is the only writer), so the gauge never scans the table.
    private(set) var contacts: Int

    private init(files: ClockStoreFiles, connection: SQLiteConnection, contacts: Int) {
        self.files = files
        self.connection = connection
        self.contacts = contacts
    }

    // MARK: - Creating and opening

    /// Writes a new, empty store for `topic` beside `files.main` and renames it
    /// into place, so the store at `files.main` is always complete or absent.
    /// Call it only when `files.main` does not exist: a write-ahead log left
    /// there (the main file deleted by hand) is removed first, since SQLite
    /// would otherwise replay it into the new file.
    static func create(_ files: ClockStoreFiles, topic: String) throws(ClockStoreError) {
        try files.remove(files.dataFiles)
        do {
            let connection = try SQLiteConnection(path: files.creating, create: true)
            try connection.execute(
                """
                PRAGMA application_id = \(applicationID);
                PRAGMA user_version = \(schemaVersion);
                BEGIN;
                CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
                CREATE TABLE clocks (contact TEXT PRIMARY KEY, clocks BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE positions (partition_id INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL);
                INSERT INTO meta (name, value) VALUES ('contacts', 0);
                """)
            try connection.withStatement("INSERT INTO meta (name, value) VALUES ('topic', ?)") { insert in
                try insert.bind(1, text: topic)
                _ = try insert.step()
            }
            try connection.execute("COMMIT; PRAGMA journal_mode = WAL;")
            try connection.close()
        } catch {
            throw ClockStoreError(kind: .io, path: files.main, reason: "cannot create a new store: \(error)")
        }
        guard rename(files.creating, files.main) == 0 else {
            throw ClockStoreError(
                kind: .io, path: files.main,
                reason: "cannot rename \(files.creating) into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Opens an existing store, refusing anything that is not a sound clock
    /// store of this schema version for `topic`.
    static func open(_ files: ClockStoreFiles, topic: String, cacheBytes: Int) throws(ClockStoreError) -> ClockDatabase {
        let path = files.main
        do {
            let connection = try SQLiteConnection(path: path, create: false)
            // Before the first read: the WAL index then lives in this process's
            // memory (no -shm file) and no file lock is taken per transaction.
            // ClockStoreLock already keeps every other process out.
            try connection.execute(
                """
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA cache_size = -\(max(cacheBytes / 1024, 256));
                PRAGMA busy_timeout = 5000;
                """)
            try refuseUnlessSound(connection, path: path, topic: topic)
            // Durable across a process crash; a power loss may lose the last
            // transactions, values and positions together, which the changelog
            // then replays.
            let journalMode = try connection.scalarText("PRAGMA journal_mode = WAL")
            guard journalMode == "wal" else {
                throw ClockStoreError(
                    kind: .io, path: path, reason: "SQLite refused WAL mode (it answered \(journalMode ?? "nothing"))")
            }
            // Checkpoints every 32 MB of log rather than SQLite's 4 MB: a page
            // changed again before the checkpoint is copied once (merging 500
            // changed contacts: 8.4 instead of 11 µs CPU per contact at 50,000
            // contacts, 14 instead of 16 at 1,000,000). The log stays below 32 MB.
            try connection.execute(
                """
                PRAGMA synchronous = NORMAL;
                PRAGMA wal_autocheckpoint = \(Self.checkpointPages);
                PRAGMA journal_size_limit = \(Self.checkpointPages * 4096);
                """)
            let contacts = try connection.withStatement("SELECT value FROM meta WHERE name = 'contacts'") { select in
                try select.step() ? Int(select.int64(at: 0)) : 0
            }
            return ClockDatabase(files: files, connection: connection, contacts: contacts)
        } catch let error as ClockStoreError {
            throw error
        } catch let error as SQLiteError {
            throw Self.openingError(error, path: path)
        } catch {
            throw ClockStoreError(kind: .io, path: path, reason: "cannot open: \(error)")
        }
    }

    /// Ours (application id), this schema version, sound (quick_check), this topic.
    private static func refuseUnlessSound(_ connection: SQLiteConnection, path: String, topic: String) throws {
        let applicationID = Int32(try connection.scalarText("PRAGMA application_id") ?? "") ?? 0
        guard applicationID == Self.applicationID else {
            throw ClockStoreError(
                kind: .notAStore, path: path,
                reason: "a SQLite database, but not a contact-sync clock store; \(ClockStoreError.rebuildHint)")
        }
        let version = Int(try connection.scalarText("PRAGMA user_version") ?? "") ?? 0
        guard version == Self.schemaVersion else {
            throw ClockStoreError(
                kind: .otherSchemaVersion, path: path,
                reason: "schema version \(version), but this contact-sync reads version \(Self.schemaVersion); "
                    + ClockStoreError.rebuildHint)
        }
        let check = try connection.scalarText("PRAGMA quick_check") ?? "no answer"
        guard check == "ok" else {
            let problems = check.split(whereSeparator: \.isNewline).joined(separator: "; ")
            throw ClockStoreError(
                kind: .damaged, path: path,
                reason: "fails SQLite's integrity check (\(problems.prefix(300))); \(ClockStoreError.rebuildHint)")
        }
        let storedTopic = try connection.scalarText("SELECT value FROM meta WHERE name = 'topic'") ?? ""
        guard storedTopic == topic else {
            throw ClockStoreError(
                kind: .otherTopic, path: path,
                reason: "holds the clocks of changelog topic '\(storedTopic)', not of '\(topic)' (CLOCK_TOPIC); "
                    + "point CLOCK_STORE_PATH elsewhere, or \(ClockStoreError.rebuildHint)")
        }
    }

    private static func openingError(_ error: SQLiteError, path: String) -> ClockStoreError {
        if error.isNotADatabase {
            return ClockStoreError(
                kind: .notAStore, path: path,
                reason: "not a SQLite database (SQLite: \(error.message)); \(ClockStoreError.rebuildHint)")
        }
        if error.isCorrupt {
            return ClockStoreError(
                kind: .damaged, path: path, reason: "damaged (SQLite: \(error.message)); \(ClockStoreError.rebuildHint)")
        }
        if error.isBusy {
            return ClockStoreError(kind: .inUse, path: path, reason: "locked by another connection (SQLite: \(error.message))")
        }
        return ClockStoreError(kind: .io, path: path, reason: "cannot read it: \(error)")
    }

    // MARK: - Reading and writing

    private static let selectOne = "SELECT clocks FROM clocks WHERE contact = ?"

    /// The stored values for `keys`; absent keys are left out. One point
    /// select per key, reused, inside one read transaction (one snapshot).
    func load(_ keys: [String]) throws(ClockStoreError) -> [String: [UInt8]] {
        var found = [String: [UInt8]](minimumCapacity: keys.count)
        try operation("cannot read clocks") {
            try connection.readTransaction {
                try connection.withStatement(Self.selectOne) { select in
                    for key in keys {
                        try select.bind(1, text: key)
                        if try select.step() { found[key] = select.withBlob(at: 0) { Array($0) } }
                        select.reset()
                    }
                }
            }
        }
        return found
    }

    /// Calls `body` with every stored key, in key order (for the store's key filter, at open).
    func forEachKey(_ body: (String) -> Void) throws(ClockStoreError) {
        try operation("cannot list the stored contacts") {
            try connection.readTransaction {
                try connection.withStatement("SELECT contact FROM clocks") { select in
                    while try select.step() { body(select.text(at: 0)) }
                }
            }
        }
    }

    /// One value to merge into the store. `knownNew`: the key was never stored
    /// nor queued before (the store's key filter had never seen it), so the
    /// write tries a plain insert first and reads only if that finds the key
    /// after all (a changelog write for it may have got in first).
    struct Write {
        let key: String
        let value: [UInt8]
        var knownNew = false
    }

    /// `merge(_:positions:using:)` for keys that may be stored.
    func merge(
        _ entries: [(key: String, value: [UInt8])], positions: [Int32: Int64],
        using merge: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) throws(ClockStoreError) {
        try self.merge(entries.map { Write(key: $0.key, value: $0.value) }, positions: positions, using: merge)
    }

    /// In one transaction: value := merge(stored or nil, write value) for each
    /// write, one key's writes in the order given, and the positions set. A
    /// merge that leaves the stored bytes as they are writes nothing (replays
    /// of the changelog are cheap).
    func merge(
        _ writes: [Write], positions: [Int32: Int64],
        using merge: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) throws(ClockStoreError) {
        let added = try operation("cannot write clocks") {
            try connection.transaction { () throws -> Int in
                // The three statements looked up once per call, not per key.
                let added = try connection.withStatement(Self.selectOne) { select in
                    try connection.withStatement(Self.insertUnlessStored) { insert in
                        try connection.withStatement(Self.updateOne) { update in
                            let statements = WriteStatements(select: select, insert: insert, update: update)
                            var added = 0
                            for index in Self.keyOrder(writes) {
                                if try write(writes[index], with: statements, using: merge) { added += 1 }
                            }
                            return added
                        }
                    }
                }
                if added > 0 {
                    try connection.withStatement("UPDATE meta SET value = value + ? WHERE name = 'contacts'") { update in
                        try update.bind(1, int64: Int64(added))
                        _ = try update.step()
                    }
                }
                try setPositions(positions)
                return added
            }
        }
        contacts += added
    }

    private static let insertUnlessStored = "INSERT INTO clocks (contact, clocks) VALUES (?, ?) ON CONFLICT (contact) DO NOTHING"
    private static let updateOne = "UPDATE clocks SET clocks = ? WHERE contact = ?"

    private struct WriteStatements {
        let select: SQLiteStatement
        let insert: SQLiteStatement
        let update: SQLiteStatement
    }

    /// Merges one write; true when it added the key.
    private func write(
        _ write: Write, with statements: WriteStatements,
        using merge: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) throws -> Bool {
        func asNew() -> [UInt8] { write.value.withUnsafeBytes { merge(nil, $0) } }
        if write.knownNew, try insert(write.key, asNew(), with: statements.insert) { return true }
        guard let stored = try mergedWithStored(write, select: statements.select, using: merge) else {
            return try insert(write.key, asNew(), with: statements.insert)
        }
        if stored.changed {
            let update = statements.update
            defer { update.reset() }
            try update.bind(1, blob: stored.merged)
            try update.bind(2, text: write.key)
            _ = try update.step()
        }
        return false
    }

    /// The write merged with the stored value, and whether that changed it; nil when the key is not stored.
    private func mergedWithStored(
        _ write: Write, select: SQLiteStatement, using merge: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8]
    ) throws -> (merged: [UInt8], changed: Bool)? {
        defer { select.reset() }
        try select.bind(1, text: write.key)
        guard try select.step() else { return nil }
        return select.withBlob(at: 0) { stored in
            let merged = write.value.withUnsafeBytes { merge(stored, $0) }
            return (merged, !merged.elementsEqual(stored))
        }
    }

    /// Inserts unless the key is stored; true when it inserted.
    private func insert(_ key: String, _ value: [UInt8], with insert: SQLiteStatement) throws -> Bool {
        defer { insert.reset() }
        try insert.bind(1, text: key)
        try insert.bind(2, blob: value)
        _ = try insert.step()
        return connection.changes == 1
    }

    /// Entry indices by key, and by position for equal keys: visiting the
    /// B-tree in key order touches each page once per call (restoring 1M
    /// contacts in calls of 50,000 took 10 s in key order, 23 s in arrival order).
    private static func keyOrder(_ writes: [Write]) -> [Int] {
        writes.indices.sorted { left, right in
            let (leftKey, rightKey) = (writes[left].key, writes[right].key)
            return leftKey != rightKey ? leftKey < rightKey : left < right
        }
    }

    /// The next changelog offset to read per partition, as last stored.
    func positions() throws(ClockStoreError) -> [Int32: Int64] {
        try operation("cannot read changelog positions") {
            try connection.withStatement("SELECT partition_id, next_offset FROM positions") { select in
                var positions: [Int32: Int64] = [:]
                while try select.step() { positions[Int32(truncatingIfNeeded: select.int64(at: 0))] = select.int64(at: 1) }
                return positions
            }
        }
    }

    /// Moves the write-ahead log into the main file and closes.
    func close() throws(ClockStoreError) {
        try operation("cannot close") {
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try connection.close()
        }
    }

    private func setPositions(_ positions: [Int32: Int64]) throws {
        try connection.withStatement(
            """
            INSERT INTO positions (partition_id, next_offset) VALUES (?, ?)
            ON CONFLICT (partition_id) DO UPDATE SET next_offset = excluded.next_offset
            """
        ) { upsert in
            for (partition, offset) in positions {
                try upsert.bind(1, int64: Int64(partition))
                try upsert.bind(2, int64: offset)
                _ = try upsert.step()
                upsert.reset()
            }
        }
    }

    /// Runs `body`, naming the store and what failed when SQLite refuses.
    private func operation<T>(_ what: String, _ body: () throws -> T) throws(ClockStoreError) -> T {
        do {
            return try body()
        } catch let error as ClockStoreError {
            throw error
        } catch {
            throw ClockStoreError(kind: .io, path: files.main, reason: "\(what): \(error)")
        }
    }
}
