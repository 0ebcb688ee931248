import Synchronization

/// Runs each batch's publishing (encoding its results and dead letters,
/// producing them and its clock records) in batch order, each after the one
/// before, on a task of its own: it runs beside the next batch instead of
/// holding up the consuming loop, and a contact's results still reach the
/// topic in the order its batches were decided. The consumer's bound on
/// records awaiting acknowledgement (`MAX_OUTSTANDING_RECORDS`) bounds
/// how far it can fall behind.
final class PublishChain: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    func enqueue(_ body: @escaping @Sendable () async -> Void) {
        last.withLock { last in
            let previous = last
            last = Task {
                await previous?.value
                await body()
            }
        }
    }

    /// Returns once everything enqueued so far is handed to the producer.
    func drain() async {
        await last.withLock { $0 }?.value
    }
}
