import CSQLite

/// An error reported by SQLite: what was being done, and SQLite's own words
/// (`sqlite3_errmsg`).
struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The primary result code (SQLITE_BUSY, SQLITE_NOTADB, ...), without extended bits.
    let code: Int32
    let message: String
    let context: String

    var description: String { "\(context): \(message)" }

    init(code: Int32, message: String, context: String) {
        self.code = code & 0xFF
        self.message = message
        self.context = context
    }

    /// The message SQLite keeps for the last failed call on `handle`.
    init(code: Int32, handle: OpaquePointer?, context: String) {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, context: context)
    }

    var isNotADatabase: Bool { code == SQLITE_NOTADB }
    var isCorrupt: Bool { code == SQLITE_CORRUPT }
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}
