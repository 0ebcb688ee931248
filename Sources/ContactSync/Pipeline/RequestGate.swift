import ContactSyncCore

/// Decides when the next Bookbag request may start: within the adaptive
/// in-flight limit (AIMD on 429s), never before a Retry-After instant has
/// passed (for every request, not only the one that got the 429), and within
/// the optional client-side rate cap.
///
/// After a 429 the gate sends one request at a time until no 429 has come for
/// `rateLimitCoolDown`: with several in flight, the ones already on the wire
/// when the 429 is answered would reach Bookbag before its Retry-After instant.
actor RequestGate {
    private var serialUntil: ContinuousClock.Instant?
    private let rateLimitCoolDown: Duration = .seconds(10)
    private var limit: AdaptiveConcurrencyLimit
    private var inFlight = 0
    private var blockedUntil: ContinuousClock.Instant?
    private var nextSlot: ContinuousClock.Instant = .now
    private let spacing: Duration?
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let metrics: ServiceMetrics

    init(maxInFlight: Int, maxRequestsPerSecond: Double?, metrics: ServiceMetrics) {
        limit = AdaptiveConcurrencyLimit(initial: maxInFlight, minimum: 1, maximum: maxInFlight)
        spacing = maxRequestsPerSecond.map { .nanoseconds(Int64(1_000_000_000 / $0)) }
        self.metrics = metrics
        metrics.inFlightLimit.record(maxInFlight)
    }

    /// Waits until a request may start, then counts it in flight.
    func acquire() async {
        while true {
            let now = ContinuousClock.now
            if let until = blockedUntil, until > now {
                try? await Task.sleep(until: until, clock: .continuous)
                continue
            }
            let allowed = serialUntil.map { $0 > now } == true ? 1 : limit.current
            guard inFlight < allowed else {
                await withCheckedContinuation { waiters.append($0) }
                continue
            }
            if let spacing {
                if nextSlot > now {
                    try? await Task.sleep(until: nextSlot, clock: .continuous)
                    continue
                }
                nextSlot = now + spacing
            }
            inFlight += 1
            return
        }
    }

    /// Ends a request and adapts to how it went.
    func release(_ outcome: UpsertOutcome) {
        inFlight -= 1
        switch outcome {
        case .rateLimited(let retryAfter):
            limit.recordRateLimited()
            serialUntil = ContinuousClock.now + rateLimitCoolDown
            let until = ContinuousClock.now + (retryAfter ?? .seconds(1))
            if blockedUntil.map({ until > $0 }) ?? true { blockedUntil = until }
            metrics.rateLimited()
        case .accepted, .refused, .undefinedAttribute:
            if serialUntil.map({ $0 <= ContinuousClock.now }) ?? true { limit.recordSuccess() }
        case .transient, .configuration:
            break
        }
        metrics.inFlightLimit.record(limit.current)
        let ready = waiters
        waiters = []
        for waiter in ready { waiter.resume() }
    }
}
