import FoundationEssentials
import Glibc

/// The files that make up one clock store: SQLite's main file and its
/// companions, the lock file, and the file a new store is built in.
struct ClockStoreFiles: Sendable {
    let main: String

    var writeAheadLog: String { main + "-wal" }
    var sharedMemory: String { main + "-shm" }
    var rollbackJournal: String { main + "-journal" }
    var lock: String { main + ".lock" }
    /// A new store is written here, then renamed to `main`: a crash while
    /// creating never leaves a half-made store at `main`.
    var creating: String { main + ".creating" }

    /// Everything but the lock file, which is removed last.
    var dataFiles: [String] {
        [main, writeAheadLog, sharedMemory, rollbackJournal, creating, creating + "-journal", creating + "-wal"]
    }

    var mainExists: Bool { FileManager.default.fileExists(atPath: main) }

    /// Main file plus write-ahead log: what the store holds on disk.
    func bytesOnDisk() -> Int64 { size(of: main) + size(of: writeAheadLog) }

    /// Deletes `paths`, ignoring those that do not exist.
    func remove(_ paths: [String]) throws(ClockStoreError) {
        for path in paths {
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                if !FileManager.default.fileExists(atPath: path) { continue }
                throw ClockStoreError(kind: .io, path: main, reason: "cannot delete \(path): \(error)")
            }
        }
    }

    private func size(of path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }
}
