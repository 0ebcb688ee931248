/// Users per upsert request, between `minimum` (`UPSERT_MIN_USERS`) and
/// `maximum` (`UPSERT_MAX_USERS`, Bookbag allows 1,000).
///
/// A 429 usually means too many requests per second, not too many users: the
/// same contacts in half as many requests is the cheaper answer, so a 429
/// doubles the size first, and only a 429 at the maximum size lets the caller
/// cut its concurrency (`AdaptiveConcurrencyLimit`, TCP's AIMD).
///
/// A batch's contacts spread over the requests that may be in flight
/// (`users(for:slots:)`): one round trip instead of several rounds of small
/// requests, never smaller than `current` nor larger than `ceiling`.
///
/// A request that takes far longer than usual means Bookbag is straining:
/// `current` and `ceiling` shrink by a tenth (down to `minimum`), and
/// `ceiling` climbs back by a hundredth of `maximum` per ordinary answer
/// (AIMD again). "Far longer" is Vector's adaptive request concurrency test:
/// the latency above its moving average (EWMA, alpha 0.4) by more than 2.5
/// times its moving mean deviation.
public struct AdaptiveRequestSize: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    /// The least users a request carries when there are that many to send.
    public private(set) var current: Int
    /// The most users a request carries; below `maximum` after latency spikes.
    public private(set) var ceiling: Int
    private var latency = LatencyAverage()

    /// What a 429 asks of the caller.
    public enum RateLimitedResponse: Sendable, Equatable {
        /// The size grew: the same users will take fewer requests; keep the concurrency.
        case grewRequests
        /// Already at the maximum: cut the concurrency.
        case cutConcurrency
    }

    /// Both are at least 1, and a `minimum` above `maximum` comes down to it
    /// (the maximum is the promise); the size starts at `minimum`.
    public init(minimum: Int, maximum: Int) {
        self.maximum = max(maximum, 1)
        self.minimum = min(max(minimum, 1), self.maximum)
        current = self.minimum
        ceiling = self.maximum
    }

    /// Users per request for `contacts` to send now over `slots` requests in
    /// flight: spread evenly over the slots, within `current...ceiling`.
    public func users(for contacts: Int, slots: Int) -> Int {
        let slots = max(slots, 1)
        let even = contacts / slots + (contacts % slots == 0 ? 0 : 1)
        return min(ceiling, max(current, even))
    }

    public mutating func recordRateLimited() -> RateLimitedResponse {
        guard current < maximum else { return .cutConcurrency }
        current = current > maximum / 2 ? maximum : current * 2
        ceiling = max(ceiling, current)
        return .grewRequests
    }

    /// An answered upsert request and how long it took.
    public mutating func recordLatency(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        if latency.isFarAbove(seconds) {
            current = max(minimum, current * 9 / 10)
            ceiling = max(minimum, ceiling * 9 / 10)
        } else {
            ceiling = min(maximum, ceiling + max(1, maximum / 100))
        }
        latency.add(seconds)
    }
}

/// An exponentially weighted moving average of latencies and of their
/// deviation from it.
struct LatencyAverage: Sendable, Equatable {
    static let alpha = 0.4
    static let deviationScale = 2.5
    /// Samples before the average is trusted.
    static let warmUp = 5

    private(set) var mean = 0.0
    private(set) var deviation = 0.0
    private(set) var samples = 0

    func isFarAbove(_ seconds: Double) -> Bool {
        samples >= Self.warmUp && seconds > mean + Self.deviationScale * deviation
    }

    mutating func add(_ seconds: Double) {
        if samples == 0 {
            mean = seconds
        } else {
            deviation += Self.alpha * (abs(seconds - mean) - deviation)
            mean += Self.alpha * (seconds - mean)
        }
        samples = min(samples + 1, Self.warmUp)
    }
}
