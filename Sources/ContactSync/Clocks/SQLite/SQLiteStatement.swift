import CSQLite

/// One prepared statement. Not thread-safe: used only by its connection's owner.
/// Text and blobs are bound as copies (SQLITE_TRANSIENT), so the Swift values
/// need not outlive the call.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: OpaquePointer
    let sql: String

    init(sql: String, database: OpaquePointer) throws {
        var prepared: OpaquePointer?
        let status = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard status == SQLITE_OK, let prepared else {
            throw SQLiteError(code: status, handle: database, context: "cannot prepare \(sql)")
        }
        handle = prepared
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, text: String) throws {
        var text = text
        let status = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // A nil base address (empty text) would bind NULL instead of ''.
                chars.baseAddress.map {
                    sqlite3_bind_text(handle, index, $0, Int32(chars.count), contact_sync_sqlite_transient)
                } ?? sqlite3_bind_text(handle, index, "", 0, contact_sync_sqlite_transient)
            }
        }
        try check(status, "cannot bind parameter \(index)")
    }

    func bind(_ index: Int32, blob: [UInt8]) throws {
        let status = blob.withUnsafeBytes { bytes in
            bytes.baseAddress == nil
                ? sqlite3_bind_zeroblob(handle, index, 0)
                : sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), contact_sync_sqlite_transient)
        }
        try check(status, "cannot bind parameter \(index)")
    }

    func bind(_ index: Int32, int64: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, int64), "cannot bind parameter \(index)")
    }

    /// Advances to the next row: true when a row is available, false when done.
    func step() throws -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: status, handle: database, context: "cannot run \(sql)")
        }
    }

    /// Ready to run again (bindings are kept until bound anew).
    func reset() { sqlite3_reset(handle) }

    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(at column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's bytes, valid only inside `body` (SQLite owns them until the
    /// next step or reset).
    func withBlob<T>(at column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let start = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count))
    }

    private func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        guard status == SQLITE_OK else { throw SQLiteError(code: status, handle: database, context: context()) }
    }
}
