import CPthread
import Glibc
import Synchronization

/// A thread of our own for blocking C calls (librdkafka polls and flushes,
/// `curl_multi_poll`), so that they never hold one of the cooperative pool's
/// threads (two on a two-core machine). Its end can be awaited without blocking.
public final class DedicatedThread: Sendable {
    private enum Phase {
        case notStarted
        case running(waiters: [CheckedContinuation<Void, Never>])
        case ended
    }

    private let name: String
    private let phase = Mutex<Phase>(.notStarted)

    public init(name: String) {
        self.name = name
    }

    /// Runs `body` on the thread; a second call does nothing.
    public func start(_ body: @escaping @Sendable () -> Void) {
        let starts = phase.withLock { phase -> Bool in
            guard case .notStarted = phase else { return false }
            phase = .running(waiters: [])
            return true
        }
        guard starts else { return }
        let start = ThreadStart(name: name) { [self] in
            body()
            let waiters = phase.withLock { phase -> [CheckedContinuation<Void, Never>] in
                defer { phase = .ended }
                if case .running(let waiters) = phase { return waiters }
                return []
            }
            for waiter in waiters { waiter.resume() }
        }
        var thread = pthread_t()
        // The thread takes over the retained ThreadStart (released in `threadMain`).
        let argument = Unmanaged.passRetained(start).toOpaque()
        let created = pthread_create(&thread, nil, threadMain, argument)
        precondition(created == 0, "pthread_create failed (\(created)) for thread \(name)")
        pthread_detach(thread)
    }

    /// Started, and `body` has not returned yet.
    public var isRunning: Bool {
        phase.withLock { if case .running = $0 { true } else { false } }
    }

    /// Returns once `body` has returned; at once if the thread never started.
    public func ended() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = phase.withLock { phase -> Bool in
                switch phase {
                case .notStarted, .ended:
                    return true
                case .running(let waiters):
                    phase = .running(waiters: waiters + [continuation])
                    return false
                }
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Runs one blocking call on a thread of its own and returns its result.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DedicatedThread(name: name).start { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs one blocking call that cannot fail on a thread of its own.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DedicatedThread(name: name).start { continuation.resume(returning: body()) }
        }
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
