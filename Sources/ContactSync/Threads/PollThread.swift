import Synchronization

/// A `DedicatedThread` that runs a blocking step (a librdkafka poll) again and
/// again until stopped. `stop()` waits, without blocking a thread, until the loop has ended.
final class PollThread: Sendable {
    private let thread: DedicatedThread
    private let stopping = Atomic<Bool>(false)

    init(name: String) {
        thread = DedicatedThread(name: name)
    }

    /// `step` must return within a bounded time (a poll with a timeout). A second call does nothing.
    func start(step: @escaping @Sendable () -> Void) {
        thread.start { [self] in
            while !stopping.load(ordering: .acquiring) { step() }
        }
    }

    /// Asks the loop to end after its current step and waits until it has.
    func stop() async {
        stopping.store(true, ordering: .releasing)
        await thread.ended()
    }
}
