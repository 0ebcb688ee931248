import Foundation
import Synchronization

/// A child process started with `posix_spawn` and reaped with `waitpid` on its
/// own pid.
///
/// Why not Foundation's `Process`: on Linux it watches every child through a
/// SIGCHLD dispatch source; these tests start and SIGKILL many children, and
/// reaping each by its own pid keeps that machinery out of the picture (it was
/// suspected in the open broker-restart crash, wrongly: the crash remained).
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The exit code, or the signal number when a signal ended it; set once reaped.
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable`; standard output and error go to `outputPath` (appended) or /dev/null.
    init(executable: String, arguments: [String], environment: [String: String]? = nil, outputPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let target = outputPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in env { free(pointer) }
        }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, nil, argv, env)
        guard code == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL)
        }
        pid = child
    }

    /// Reaps the child if it has ended (never blocks).
    private func reap() -> Int32? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
            let signal = raw & 0x7f
            status = signal == 0 ? (raw >> 8) & 0xff : signal
            return status
        }
    }

    var isRunning: Bool { reap() == nil }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Polls for the exit (blocking, so call it off the cooperative pool or with a short timeout).
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = reap() { return status }
            if ContinuousClock.now > deadline { return nil }
            usleep(10_000)
        }
    }

    /// Polls for the exit without holding a thread of the cooperative pool.
    func exit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = reap() { return status }
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGKILL, then reap.
    func killAndReap() {
        signal(SIGKILL)
        _ = waitForExit(timeout: .seconds(10))
    }
}
