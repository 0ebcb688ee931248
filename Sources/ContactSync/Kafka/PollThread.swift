import Foundation
import Synchronization

/// A dedicated thread that runs a blocking step (a librdkafka poll) again and
/// again until stopped, so that blocking C calls never run on the cooperative
/// pool. `stop()` waits, without blocking a thread, until the loop has ended.
final class PollThread: Sendable {
    private enum Phase {
        case notStarted
        case running
        case stopping(waiters: [CheckedContinuation<Void, Never>])
        case ended
    }

    private let name: String
    private let step: @Sendable () -> Void
    private let phase = Mutex<Phase>(.notStarted)

    /// `step` must return within a bounded time (a poll with a timeout).
    init(name: String, step: @escaping @Sendable () -> Void) {
        self.name = name
        self.step = step
    }

    func start() {
        let starts = phase.withLock { phase -> Bool in
            guard case .notStarted = phase else { return false }
            phase = .running
            return true
        }
        guard starts else { return }
        let thread = Thread { [self] in
            while phase.withLock({ if case .running = $0 { true } else { false } }) { step() }
            let waiters = phase.withLock { phase -> [CheckedContinuation<Void, Never>] in
                defer { phase = .ended }
                if case .stopping(let waiters) = phase { return waiters }
                return []
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to end after its current step and waits until it has.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = phase.withLock { phase -> Bool in
                switch phase {
                case .notStarted, .ended:
                    phase = .ended
                    return true
                case .running:
                    phase = .stopping(waiters: [continuation])
                case .stopping(let waiters):
                    phase = .stopping(waiters: waiters + [continuation])
                }
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
