/// The active faults plus what they need to remember: windows, counters and token buckets.
struct FaultState {
    private(set) var faults: SimFaults
    private var failUntil: ContinuousClock.Instant?
    private var dropUntil: ContinuousClock.Instant?
    private var requestsSinceSet = 0
    private var buckets: [String: TokenBucket] = [:]
    /// Per key: when the last 429 was answered, and the instant it told the key to come back.
    private var retryAfterUntil: [String: (announced: ContinuousClock.Instant, until: ContinuousClock.Instant)] = [:]
    /// A request arriving this soon after a 429 was answered was sent before the
    /// client could have read it (its requests already on the wire), so it is
    /// not counted as early. Loopback round trips are far below this.
    static let inFlightGrace: Duration = .milliseconds(50)

    init(faults: SimFaults, now: ContinuousClock.Instant) {
        self.faults = faults
        set(faults, now: now)
    }

    mutating func set(_ faults: SimFaults, now: ContinuousClock.Instant) {
        self.faults = faults
        failUntil = faults.failForMilliseconds.map { now.advanced(by: .milliseconds($0)) }
        dropUntil = faults.dropForMilliseconds.map { now.advanced(by: .milliseconds($0)) }
        requestsSinceSet = 0
        buckets = [:]
        retryAfterUntil = [:]
    }

    enum Decision: Equatable {
        case proceed
        case drop
        case fail(status: Int)
    }

    /// Faults that hit every API call, before authentication.
    /// `isEarly` tells whether the caller's key was told to wait longer than this.
    mutating func admit(key: String?, now: ContinuousClock.Instant) -> (decision: Decision, isEarly: Bool) {
        var isEarly = false
        if let key, let told = retryAfterUntil[key], now < told.until, now >= told.announced + Self.inFlightGrace {
            isEarly = true
        }
        requestsSinceSet += 1
        if let dropUntil, now < dropUntil { return (.drop, isEarly) }
        if let failStatus = faults.failStatus, failStatus > 0, failUntil.map({ now < $0 }) ?? true {
            return (.fail(status: failStatus), isEarly)
        }
        if let nth = faults.failEveryNth, nth > 0, requestsSinceSet % nth == 0 {
            return (.fail(status: 503), isEarly)
        }
        return (.proceed, isEarly)
    }

    /// The token bucket of an authenticated key. Returns the `Retry-After` header value when limited.
    mutating func rateLimit(key: String, now: ContinuousClock.Instant) -> String? {
        guard let rate = faults.rateLimitPerSecond else { return nil }
        var bucket = buckets[key] ?? TokenBucket(ratePerSecond: rate, now: now)
        let allowed = bucket.take(now: now)
        buckets[key] = bucket
        if allowed { return nil }
        let seconds = faults.retryAfterSeconds
        retryAfterUntil[key] = (now, now.advanced(by: .seconds(seconds)))
        return faults.retryAfterHeader ?? String(seconds)
    }
}

/// Allows `ratePerSecond` on average with a burst of one second's worth (at least one request).
struct TokenBucket {
    let ratePerSecond: Double
    let capacity: Double
    private var tokens: Double
    private var refilledAt: ContinuousClock.Instant

    init(ratePerSecond: Double, now: ContinuousClock.Instant) {
        self.ratePerSecond = ratePerSecond
        capacity = max(ratePerSecond, 1)
        tokens = ratePerSecond > 0 ? capacity : 0
        refilledAt = now
    }

    mutating func take(now: ContinuousClock.Instant) -> Bool {
        let elapsed = refilledAt.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + max(0, seconds) * ratePerSecond)
        refilledAt = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
