import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on `<store>.lock`, held while a store is open, so that
/// two processes (or two `ClockStore`s in one) never share a store. The kernel
/// drops it when the process dies, so a killed replica leaves no stale lock.
/// The holder's pid is written into the file for the refusal message.
final class ClockStoreLock: Sendable {
    private let descriptor: Int32

    init(_ files: ClockStoreFiles) throws(ClockStoreError) {
        let descriptor = open(files.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ClockStoreError(
                kind: .io, path: files.main, reason: "cannot open the lock file \(files.lock): \(Self.lastError())")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            close(descriptor)
            guard failure == EWOULDBLOCK else {
                throw ClockStoreError(
                    kind: .io, path: files.main, reason: "cannot lock \(files.lock): \(String(cString: strerror(failure)))")
            }
            let holder = (try? String(contentsOfFile: files.lock, encoding: .utf8))?
                .trimmingWhitespace()
            let who = holder.map { $0.isEmpty ? "another process" : "process \($0)" } ?? "another process"
            throw ClockStoreError(
                kind: .inUse, path: files.main,
                reason: "in use by \(who) (it holds \(files.lock)); a store belongs to one process: "
                    + "give each replica its own CLOCK_STORE_PATH")
        }
        self.descriptor = descriptor
        _ = ftruncate(descriptor, 0)
        FileDescriptorOutput.writeAll(Array("\(getpid())\n".utf8), to: descriptor)
    }

    deinit { close(descriptor) }  // closing the descriptor releases the lock

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
