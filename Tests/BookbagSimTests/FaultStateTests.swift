@testable import BookbagSim
import Testing

/// Fault windows and token buckets with injected instants: no test waits for them to pass.
@Suite struct FaultStateTests {
    private let start = ContinuousClock.now

    @Test func aFailWindowEndsAtItsInstant() {
        var state = FaultState(faults: SimFaults(failStatus: 503, failForMilliseconds: 1000), now: start)
        #expect(state.admit(key: "k", now: start + .milliseconds(999)).decision == .fail(status: 503))
        #expect(state.admit(key: "k", now: start + .milliseconds(1000)).decision == .proceed)
    }

    @Test func aDropWindowEndsAtItsInstant() {
        var state = FaultState(faults: SimFaults(dropForMilliseconds: 1000), now: start)
        #expect(state.admit(key: "k", now: start + .milliseconds(999)).decision == .drop)
        #expect(state.admit(key: "k", now: start + .milliseconds(1000)).decision == .proceed)
    }

    @Test func aFailStatusWithoutAWindowLasts() {
        var state = FaultState(faults: SimFaults(failStatus: 500), now: start)
        #expect(state.admit(key: "k", now: start + .seconds(3600)).decision == .fail(status: 500))
    }

    @Test func theRateLimitRefillsOverTime() {
        var state = FaultState(faults: SimFaults(rateLimitPerSecond: 5, retryAfterSeconds: 1), now: start)
        // A burst of one second's worth, then 429s.
        for _ in 0..<5 { #expect(state.rateLimit(key: "k", now: start) == nil) }
        #expect(state.rateLimit(key: "k", now: start) == "1")
        // One token back after 200 ms at 5/s, and only one.
        #expect(state.rateLimit(key: "k", now: start + .milliseconds(200)) == nil)
        #expect(state.rateLimit(key: "k", now: start + .milliseconds(200)) == "1")
        // Keys have buckets of their own.
        #expect(state.rateLimit(key: "other", now: start + .milliseconds(200)) == nil)
    }

    @Test func aRequestBeforeItsRetryAfterIsEarlyExceptWithinTheInFlightGrace() {
        var state = FaultState(faults: SimFaults(rateLimitPerSecond: 0.2, retryAfterSeconds: 7), now: start)
        #expect(state.rateLimit(key: "k", now: start) == nil)
        #expect(state.rateLimit(key: "k", now: start) == "7")
        #expect(!state.admit(key: "k", now: start + .milliseconds(10)).isEarly, "already on the wire")
        #expect(state.admit(key: "k", now: start + .seconds(1)).isEarly)
        #expect(!state.admit(key: "k", now: start + .seconds(7)).isEarly)
        #expect(!state.admit(key: "other", now: start + .seconds(1)).isEarly)
    }
}
