/// The webhook ids seen lately, so a redelivery (the same `webhook-id`) is
/// answered without writing its events to Kafka again.
///
/// An id is in progress from `admit` until `finish`: a concurrent redelivery
/// is told so instead of being produced twice. An accepted id is remembered
/// for `window`, and at most `capacity` of them, the oldest dropped first; a
/// failed one is forgotten so the sender's retry is produced again. Memory
/// only: after a restart a redelivery is produced again, which the consumer's
/// event ids and field clocks make harmless.
public struct RecentWebhookIDs: Sendable {
    public enum Admission: Sendable, Equatable {
        /// Not seen (or forgotten): produce it, then call `finish`.
        case new
        /// Accepted within the window, with that many events.
        case alreadyAccepted(count: Int)
        /// Admitted and not finished yet.
        case inProgress
    }

    private enum State: Sendable {
        case inProgress
        case accepted(count: Int, at: UInt64)
    }

    /// The id's SHA-256, cut to 128 bits: a fixed 16 bytes per id however long
    /// the id (up to 256 bytes), where two ids colliding is not a practical
    /// concern (a collision would answer a new delivery as a redelivery).
    private struct Digest: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        init(_ id: String) {
            let bytes = SHA256.digest(id.utf8)
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    private struct Accepted: Sendable {
        let id: Digest
        let at: UInt64
    }

    private let capacity: Int
    private let windowNanoseconds: UInt64
    private var states: [Digest: State] = [:]
    /// The accepted ids in the order accepted, so the oldest is first. In-progress
    /// ids are not in it and are never evicted for capacity: their number is
    /// bounded by the server's limit on requests in flight.
    private var acceptedOrder = FIFOQueue<Accepted>()

    public init(capacity: Int = 100_000, window: Duration = .seconds(600)) {
        self.capacity = max(0, capacity)
        windowNanoseconds = UInt64(max(0, window.saturatingNanoseconds))
    }

    /// The ids remembered: accepted ones (at most `capacity`) and those in progress.
    public var count: Int { states.count }

    /// `now` is a monotonic nanosecond clock. `.new` marks the id in progress.
    public mutating func admit(_ text: String, now: UInt64) -> Admission {
        dropExpired(now: now)
        let id = Digest(text)
        switch states[id] {
        case .inProgress:
            return .inProgress
        case .accepted(let count, _):
            return .alreadyAccepted(count: count)
        case nil:
            states[id] = .inProgress
            return .new
        }
    }

    /// The outcome of an admitted id: accepted ids are remembered for `window`;
    /// a failed one is forgotten so a retry is produced again. An id not in
    /// progress is left as it is.
    public mutating func finish(_ text: String, accepted count: Int?, now: UInt64) {
        dropExpired(now: now)
        let id = Digest(text)
        guard case .inProgress = states[id] else { return }
        guard let count else {
            states[id] = nil
            return
        }
        states[id] = .accepted(count: count, at: now)
        acceptedOrder.append(Accepted(id: id, at: now))
        while acceptedOrder.count > capacity, let oldest = acceptedOrder.popFirst() {
            forget(oldest)
        }
    }

    /// Drops accepted ids older than the window (the queue is in time order).
    private mutating func dropExpired(now: UInt64) {
        while let oldest = acceptedOrder.first, now >= oldest.at, now - oldest.at >= windowNanoseconds {
            acceptedOrder.popFirst()
            forget(oldest)
        }
    }

    /// Removes the state a queue entry stands for, unless the id has a newer one.
    private mutating func forget(_ entry: Accepted) {
        if case .accepted(_, let at) = states[entry.id], at == entry.at { states[entry.id] = nil }
    }
}
