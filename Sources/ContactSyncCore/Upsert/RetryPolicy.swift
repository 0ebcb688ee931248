/// When to retry a contact's upsert and how long to wait (transient errors and 429s).
public struct RetryPolicy: Sendable {
    /// Attempts per contact, the first included.
    public var maxAttempts: Int
    /// Time per contact from its first attempt; no attempt starts after it.
    public var maxElapsed: Duration
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(
        maxAttempts: Int = 8, maxElapsed: Duration = .seconds(300),
        baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.maxElapsed = maxElapsed
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Full jitter: uniform in `[0, min(maxDelay, baseDelay * 2^(attempt-1))]`.
    /// Computed without overflow for any attempt number.
    public func backoff(afterAttempt attempt: Int, using rng: inout some RandomNumberGenerator) -> Duration {
        .nanoseconds(Int64(UInt64.random(in: 0...UInt64(ceiling(afterAttempt: attempt)), using: &rng)))
    }

    /// The wait before the next attempt: what `Retry-After` asked for, within
    /// `[0, maxRetryAfter]`, otherwise the jittered backoff.
    public func delay(
        afterAttempt attempt: Int, retryAfter: Duration?, maxRetryAfter: Duration = RetryAfter.defaultMaximum,
        using rng: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter { return .nanoseconds(Self.clamp(retryAfter, to: maxRetryAfter)) }
        return backoff(afterAttempt: attempt, using: &rng)
    }

    /// `wait` in nanoseconds within `[0, maximum]` (a negative maximum counts as zero).
    public static func clamp(_ wait: Duration, to maximum: Duration) -> Int64 {
        min(max(wait.saturatingNanoseconds, 0), max(maximum.saturatingNanoseconds, 0))
    }

    public func allowsAnotherAttempt(attemptsMade: Int, elapsed: Duration) -> Bool {
        attemptsMade < maxAttempts && elapsed < maxElapsed
    }

    /// Whether an attempt that would start after waiting `delay` still fits the
    /// budget (summed in saturating nanoseconds: no duration can overflow it).
    public func allowsAnotherAttempt(attemptsMade: Int, elapsed: Duration, after delay: Duration) -> Bool {
        let (total, overflow) = elapsed.saturatingNanoseconds.addingReportingOverflow(delay.saturatingNanoseconds)
        let saturated: Int64 = overflow ? (delay > .zero ? .max : .min) : total
        return attemptsMade < maxAttempts && saturated < maxElapsed.saturatingNanoseconds
    }

    /// The upper bound of the jitter window after `attempt`, in nanoseconds.
    func ceiling(afterAttempt attempt: Int) -> Int64 {
        let cap = max(maxDelay.saturatingNanoseconds, 0)
        let base = min(max(baseDelay.saturatingNanoseconds, 0), cap)
        let doublings = attempt > 1 ? attempt - 1 : 0
        guard base > 0 else { return 0 }
        // base << doublings stays below cap exactly when base <= cap >> doublings.
        if doublings >= 63 || base > cap >> doublings { return cap }
        return min(base << doublings, cap)
    }
}
