import CPthread
import Glibc
import Synchronization

/// A thread of our own for blocking C calls (librdkafka polls and flushes,
/// `curl_multi_poll`), so that they never hold one of the cooperative pool's
/// threads (two on a two-core machine). Its end can be awaited without blocking,
/// and counts only once the thread has exited, its thread-local destructors
/// included: otherwise `main` may return and `exit` run OpenSSL's atexit
/// cleanup while the thread still runs OpenSSL's per-thread one, which
/// corrupted the heap ("malloc_consolidate(): invalid chunk size") now and then
/// as a tool exited.
public final class DedicatedThread: Sendable {
    private enum State {
        case notStarted
        /// The body runs. `thread` is nil until `pthread_create` has returned.
        case running(thread: pthread_t?, waiters: [CheckedContinuation<Void, Never>])
        /// The body has returned; the thread is exiting (thread-local destructors).
        case exiting(thread: pthread_t?)
        /// Joined (or never started).
        case ended
    }

    private let name: String
    private let state = Mutex<State>(.notStarted)

    public init(name: String) {
        self.name = name
    }

    /// Runs `body` on the thread; a second call does nothing.
    public func start(_ body: @escaping @Sendable () -> Void) {
        let starts = state.withLock { state -> Bool in
            guard case .notStarted = state else { return false }
            state = .running(thread: nil, waiters: [])
            return true
        }
        guard starts else { return }
        let start = ThreadStart(name: name) { [self] in
            body()
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                guard case .running(let thread, let waiters) = state else { return [] }
                state = .exiting(thread: thread)
                return waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        var thread = pthread_t()
        // The thread takes over the retained ThreadStart (released in `threadMain`).
        let argument = Unmanaged.passRetained(start).toOpaque()
        let created = pthread_create(&thread, nil, threadMain, argument)
        precondition(created == 0, "pthread_create failed (\(created)) for thread \(name)")
        state.withLock { state in
            switch state {
            case .running(_, let waiters): state = .running(thread: thread, waiters: waiters)
            case .exiting: state = .exiting(thread: thread)
            case .notStarted, .ended: break
            }
        }
    }

    deinit {
        // Never waited for: the system reclaims the thread when it exits.
        switch state.withLock({ $0 }) {
        case .running(let thread?, _), .exiting(let thread?): pthread_detach(thread)
        default: break
        }
    }

    /// Started, and `body` has not returned yet.
    public var isRunning: Bool {
        state.withLock { if case .running = $0 { true } else { false } }
    }

    /// Returns once `body` has returned and the thread has exited; at once if
    /// the thread never started.
    public func ended() async {
        await bodyReturned()
        // What is left is the thread's exit, which takes microseconds: polling
        // a non-blocking join costs little and holds no thread.
        while !joinIfExited() {
            do { try await Task.sleep(for: .milliseconds(1)) } catch { await Task.yield() }
        }
    }

    private func bodyReturned() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                guard case .running(let thread, let waiters) = state else { return true }
                state = .running(thread: thread, waiters: waiters + [continuation])
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// True once the thread has exited and is joined (or never started).
    private func joinIfExited() -> Bool {
        state.withLock { state in
            switch state {
            case .notStarted, .ended:
                return true
            case .running, .exiting(thread: nil):
                return false
            case .exiting(let thread?):
                guard contact_sync_try_join(thread) == 0 else { return false }
                state = .ended
                return true
            }
        }
    }

    /// Runs one blocking call on a thread of its own and returns its result
    /// once the thread has exited.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await runToExit(name: name) { Result { try body() } }.get()
    }

    /// Runs one blocking call that cannot fail on a thread of its own.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await runToExit(name: name, body)
    }

    private static func runToExit<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        let thread = DedicatedThread(name: name)
        let result = await withCheckedContinuation { continuation in
            thread.start { continuation.resume(returning: body()) }
        }
        await thread.ended()
        return result
    }
}

/// What a new thread runs, passed through pthread_create's one pointer.
private final class ThreadStart: Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

/// A plain pthread, not Foundation's Thread: the service does not link
/// libFoundation (see FileDescriptorOutput).
private func threadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
    // Linux keeps 15 bytes of a thread's name; perf and gdb show them.
    _ = contact_sync_name_current_thread(String(start.name.utf8.prefix(15))!)
    start.body()
    return nil
}
