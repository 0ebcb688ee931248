import ContactSyncCore

/// Decides when the next Bookbag request, of any endpoint, may start, and how
/// many users an upsert request carries. A 429 first doubles the users per
/// request (`AdaptiveRequestSize`); only at `UPSERT_MAX_USERS` does it halve the
/// in-flight limit (AIMD). Requests start within that limit, never before a Retry-After
/// instant has passed (for every request, not only the one that got the 429),
/// and within the optional client-side rate cap. `BookbagClient` owns it, so
/// no call can go around it.
///
/// After a 429 the gate sends one request at a time until no 429 has come for
/// `rateLimitCoolDown`: with several in flight, the ones already on the wire
/// when the 429 is answered would reach Bookbag before its Retry-After instant.
///
/// Every wait is a parked continuation, woken by a release, by its own timer,
/// or by the waiting task's cancellation, so a shutdown never waits for a
/// Retry-After to pass.
actor RequestGate {
    private var serialUntil: ContinuousClock.Instant?
    private let rateLimitCoolDown: Duration = .seconds(10)
    private var limit: AdaptiveConcurrencyLimit
    private var requestSize: AdaptiveRequestSize
    private var inFlight = 0
    private var blockedUntil: ContinuousClock.Instant?
    private var nextSlot: ContinuousClock.Instant = .now
    private let spacing: Duration?
    /// The longest a 429 may hold requests back.
    private let maxRetryAfter: Duration
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiterID = 0
    private let metrics: ServiceMetrics

    private struct Waiter {
        let continuation: CheckedContinuation<Void, Never>
        let timer: Task<Void, Never>?
    }

    /// Client-side spacing is capped at an hour so that no rate, however small, overflows a deadline.
    static let longestSpacing: Duration = .seconds(3600)

    init(
        maxInFlight: Int, requestSize: AdaptiveRequestSize, maxRequestsPerSecond: Double?, maxRetryAfter: Duration,
        metrics: ServiceMetrics
    ) {
        limit = AdaptiveConcurrencyLimit(initial: maxInFlight, minimum: 1, maximum: maxInFlight)
        self.requestSize = requestSize
        spacing = maxRequestsPerSecond.map(Self.spacing(forRate:))
        self.maxRetryAfter = .nanoseconds(RetryPolicy.clamp(maxRetryAfter, to: .seconds(86_400)))
        self.metrics = metrics
        metrics.inFlightLimit.record(maxInFlight)
        metrics.requestSizeTarget.record(requestSize.current)
    }

    /// Users per upsert request for `contacts` sent together: spread over the
    /// requests that may be in flight now (one at a time after a 429).
    func usersPerRequest(for contacts: Int) -> Int {
        requestSize.users(for: contacts, slots: slots(at: .now))
    }

    /// Requests that may be in flight at `now`: one while a 429 is recent, else the AIMD limit.
    private func slots(at now: ContinuousClock.Instant) -> Int {
        serialUntil.map { $0 > now } == true ? 1 : limit.current
    }

    /// One request per `1/rate` seconds, as a duration that cannot overflow.
    static func spacing(forRate rate: Double) -> Duration {
        let nanoseconds = 1e9 / rate
        guard nanoseconds.isFinite, nanoseconds < 3.6e12 else { return longestSpacing }
        return .nanoseconds(Int64(max(nanoseconds, 0)))
    }

    /// Waits until a request may start, then counts it in flight. False when
    /// the calling task is cancelled (shutdown deadline): send nothing.
    func acquire() async -> Bool {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if let until = blockedUntil, until > now {
                await park(until: until)
                continue
            }
            guard inFlight < slots(at: now) else {
                await park(until: nil)
                continue
            }
            if let spacing {
                if nextSlot > now {
                    await park(until: nextSlot)
                    continue
                }
                nextSlot = now + spacing
            }
            inFlight += 1
            return true
        }
        return false
    }

    /// Ends a request and adapts to how it went. Every 429, whatever the
    /// endpoint, moves the shared pause (never by more than `maxRetryAfter`).
    /// `upsertLatency`: how long an upsert took (the request size follows it).
    func release(_ outcome: UpsertOutcome, upsertLatency: Duration? = nil) {
        inFlight -= 1
        switch outcome {
        case .rateLimited(let retryAfter):
            if requestSize.recordRateLimited() == .cutConcurrency { limit.recordRateLimited() }
            let now = ContinuousClock.now
            serialUntil = now + rateLimitCoolDown
            let wait = Duration.nanoseconds(RetryPolicy.clamp(retryAfter ?? .seconds(1), to: maxRetryAfter))
            let until = now + wait
            if blockedUntil.map({ until > $0 }) ?? true { blockedUntil = until }
            metrics.rateLimited()
        case .accepted, .refused, .undefinedAttribute:
            if serialUntil.map({ $0 <= ContinuousClock.now }) ?? true { limit.recordSuccess() }
            if let upsertLatency {
                let (seconds, attoseconds) = upsertLatency.components
                requestSize.recordLatency(seconds: Double(seconds) + Double(attoseconds) * 1e-18)
            }
        case .transient, .configuration:
            break
        }
        metrics.inFlightLimit.record(limit.current)
        metrics.requestSizeTarget.record(requestSize.current)
        wakeAll()
    }

    /// Parks the caller until a release, its cancellation, or `deadline` (when given).
    private func park(until deadline: ContinuousClock.Instant?) async {
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Runs on the actor before it suspends, so `wake(id)` from the handler comes after it.
                if Task.isCancelled {
                    continuation.resume()
                    return
                }
                let timer = deadline.map { deadline in
                    Task { [weak self] in
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        await self?.wake(id)
                    }
                }
                waiters[id] = Waiter(continuation: continuation, timer: timer)
            }
        } onCancel: {
            Task { await self.wake(id) }
        }
    }

    private func wake(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume()
    }

    private func wakeAll() {
        let ready = waiters
        waiters = [:]
        for waiter in ready.values {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }
}
