import Testing

@testable import ContactSyncCore

/// A reproducible generator (SplitMix64) so failures can be replayed.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Retry policy and adaptive concurrency")
struct RetryPolicyTests {
    @Test func defaults() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 8)
        #expect(policy.maxElapsed == .seconds(300))
        #expect(policy.baseDelay == .milliseconds(200))
        #expect(policy.maxDelay == .seconds(30))
    }

    @Test func ceilingDoublesThenCaps() {
        let policy = RetryPolicy()
        let ms: Int64 = 1_000_000
        #expect(policy.ceiling(afterAttempt: 1) == 200 * ms)
        #expect(policy.ceiling(afterAttempt: 2) == 400 * ms)
        #expect(policy.ceiling(afterAttempt: 8) == 25_600 * ms)
        #expect(policy.ceiling(afterAttempt: 9) == 30_000 * ms)
        #expect(policy.ceiling(afterAttempt: 64) == 30_000 * ms)
        #expect(policy.ceiling(afterAttempt: Int.max) == 30_000 * ms)
        #expect(policy.ceiling(afterAttempt: 0) == 200 * ms)
        #expect(policy.ceiling(afterAttempt: Int.min) == 200 * ms)
        #expect(RetryPolicy(baseDelay: .seconds(60)).ceiling(afterAttempt: 1) == 30_000 * ms)
        #expect(RetryPolicy(baseDelay: .zero).ceiling(afterAttempt: 5) == 0)
        #expect(RetryPolicy(maxDelay: .seconds(Int64.max)).ceiling(afterAttempt: Int.max) == Int64.max)
    }

    @Test func backoffStaysWithinTheWindowAndUsesAllOfIt() {
        let policy = RetryPolicy()
        var rng = SeededRandom(state: 42)
        for attempt in [1, 2, 5, 9, 40, 1000, Int.max] {
            let ceiling = Duration.nanoseconds(policy.ceiling(afterAttempt: attempt))
            var low = false
            var high = false
            for _ in 0..<2000 {
                let delay = policy.backoff(afterAttempt: attempt, using: &rng)
                #expect(delay >= .zero && delay <= ceiling)
                #expect(delay <= policy.maxDelay)
                if delay < ceiling / 10 { low = true }
                if delay > ceiling * 9 / 10 { high = true }
            }
            #expect(low && high, "full jitter should reach both ends of [0, \(ceiling)]")
        }
        var zeroRNG = SeededRandom(state: 7)
        #expect(RetryPolicy(baseDelay: .zero).backoff(afterAttempt: 3, using: &zeroRNG) == .zero)
    }

    @Test func retryAfterWinsOverBackoff() {
        let policy = RetryPolicy()
        var rng = SeededRandom(state: 1)
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(45), using: &rng) == .seconds(45))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(-1), using: &rng) == .zero)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, using: &rng) <= .milliseconds(200))
    }

    @Test func attemptAndTimeBudgets() {
        let policy = RetryPolicy(maxAttempts: 3, maxElapsed: .seconds(10))
        #expect(policy.allowsAnotherAttempt(attemptsMade: 0, elapsed: .zero))
        #expect(policy.allowsAnotherAttempt(attemptsMade: 2, elapsed: .seconds(9)))
        #expect(!policy.allowsAnotherAttempt(attemptsMade: 3, elapsed: .zero))
        #expect(!policy.allowsAnotherAttempt(attemptsMade: 1, elapsed: .seconds(10)))
        #expect(policy.allowsAnotherAttempt(attemptsMade: 1, elapsed: .seconds(5), after: .seconds(4)))
        #expect(!policy.allowsAnotherAttempt(attemptsMade: 1, elapsed: .seconds(5), after: .seconds(6)))
    }

    @Test func additiveIncreaseAfterAWindowOfSuccesses() {
        var limit = AdaptiveConcurrencyLimit(initial: 4, maximum: 6)
        for _ in 0..<3 { limit.recordSuccess() }
        #expect(limit.current == 4)
        limit.recordSuccess()
        #expect(limit.current == 5)
        for _ in 0..<5 { limit.recordSuccess() }
        #expect(limit.current == 6)
        for _ in 0..<100 { limit.recordSuccess() }
        #expect(limit.current == 6)
    }

    @Test func multiplicativeDecreaseNotBelowMinimum() {
        var limit = AdaptiveConcurrencyLimit(initial: 16, minimum: 3, maximum: 32)
        limit.recordRateLimited()
        #expect(limit.current == 8)
        limit.recordRateLimited()
        #expect(limit.current == 4)
        limit.recordRateLimited()
        #expect(limit.current == 3)
        limit.recordRateLimited()
        #expect(limit.current == 3)
        // Successes counted before a decrease do not carry over.
        var fresh = AdaptiveConcurrencyLimit(initial: 4, maximum: 8)
        for _ in 0..<3 { fresh.recordSuccess() }
        fresh.recordRateLimited()
        fresh.recordSuccess()
        #expect(fresh.current == 2)
        fresh.recordSuccess()
        #expect(fresh.current == 3)
    }

    @Test func aBurstOfRateLimitsFromOneWindowHalvesOnce() {
        var limit = AdaptiveConcurrencyLimit(initial: 16, maximum: 32)
        let sentAt = limit.generation
        for _ in 0..<16 { limit.recordRateLimited(sentInGeneration: sentAt) }
        #expect(limit.current == 8)
        limit.recordRateLimited(sentInGeneration: limit.generation)
        #expect(limit.current == 4)
    }

    @Test func boundsAreClamped() {
        #expect(AdaptiveConcurrencyLimit(initial: 50, maximum: 10).current == 10)
        #expect(AdaptiveConcurrencyLimit(initial: 0, minimum: 2, maximum: 10).current == 2)
        let odd = AdaptiveConcurrencyLimit(initial: 5, minimum: 0, maximum: -1)
        #expect(odd.minimum == 1 && odd.maximum == 1 && odd.current == 1)
    }
}
