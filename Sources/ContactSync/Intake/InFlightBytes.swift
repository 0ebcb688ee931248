import Synchronization

/// Bounds the request bytes the intake holds at once: a request reserves its
/// declared (or largest possible) size before its body is read, and gives it
/// back after its answer. Past the bound the answer is 503, so memory stays
/// bounded however many senders push at once.
final class InFlightBytes: Sendable {
    private let limit: Int
    private let held = Mutex(0)
    private let onChange: @Sendable (Int) -> Void

    init(limit: Int, onChange: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.limit = limit
        self.onChange = onChange
    }

    /// Reserves `bytes`; false (nothing reserved) when that would pass the limit.
    func reserve(_ bytes: Int) -> Bool {
        let now = held.withLock { held -> Int? in
            guard held + bytes <= limit else { return nil }
            held += bytes
            return held
        }
        guard let now else { return false }
        onChange(now)
        return true
    }

    func release(_ bytes: Int) {
        let now = held.withLock { held -> Int in
            held -= bytes
            return held
        }
        onChange(now)
    }

    var current: Int { held.withLock { $0 } }
}
