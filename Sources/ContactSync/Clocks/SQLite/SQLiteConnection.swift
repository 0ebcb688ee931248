import CSQLite

/// One SQLite connection with its prepared statements cached by SQL text.
/// Not thread-safe (opened with SQLITE_OPEN_NOMUTEX): its owner confines it to
/// one thread or serial queue at a time.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    let path: String

    /// Opens the database at `path`; `create` allows a new file.
    init(path: String, create: Bool) throws {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let error = SQLiteError(code: status, handle: opened, context: "cannot open \(path)")
            sqlite3_close_v2(opened)
            throw error
        }
        sqlite3_extended_result_codes(opened, 1)
        handle = opened
        self.path = path
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs SQL without results (several statements allowed).
    func execute(_ sql: String) throws {
        let database = try open()
        let status = sqlite3_exec(database, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw SQLiteError(code: status, handle: database, context: "cannot run \(sql)") }
    }

    /// The first column of the first row as text (nil when no row): for PRAGMAs.
    func scalarText(_ sql: String) throws -> String? {
        try withStatement(sql) { statement in try statement.step() ? statement.text(at: 0) : nil }
    }

    /// Rows the last INSERT, UPDATE or DELETE changed (0 when a conflict clause skipped it).
    var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs `body` with the cached statement for `sql`, reset afterwards.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        return try body(statement)
    }

    /// `body` inside BEGIN IMMEDIATE ... COMMIT, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try withStatement("BEGIN IMMEDIATE") { _ = try $0.step() }
        do {
            let result = try body()
            try withStatement("COMMIT") { _ = try $0.step() }
            return result
        } catch {
            try? withStatement("ROLLBACK") { _ = try $0.step() }
            throw error
        }
    }

    /// `body` inside BEGIN ... COMMIT without a write lock: one snapshot for many reads.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try withStatement("BEGIN") { _ = try $0.step() }
        defer { try? withStatement("COMMIT") { _ = try $0.step() } }
        return try body()
    }

    /// Finalizes the statements and closes; idempotent.
    func close() throws {
        guard let database = handle else { return }
        statements.removeAll()
        let status = sqlite3_close(database)
        guard status == SQLITE_OK else { throw SQLiteError(code: status, handle: database, context: "cannot close \(path)") }
        handle = nil
    }

    private func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(sql: sql, database: open())
        statements[sql] = statement
        return statement
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed", context: path) }
        return handle
    }
}
