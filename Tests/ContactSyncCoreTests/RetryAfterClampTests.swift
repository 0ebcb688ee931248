import Testing

@testable import ContactSyncCore

/// A server's `Retry-After` can say anything: a date in the year 9999, or more
/// seconds than a clock holds. None of it may trap, and every wait it asks for
/// is cut to the documented maximum (60 s unless configured).
@Suite("Retry-After never traps and is clamped")
struct RetryAfterClampTests {
    /// 2026-11-24T10:15:00Z.
    static let now = ResponseClassifierTests.now
    static let maximum: Duration = .seconds(60)

    @Test(arguments: [
        "Fri, 31 Dec 9999 23:59:59 GMT", "Fri Dec 31 23:59:59 9999", "Sat, 01 Jan 2263 00:00:00 GMT",
        "99999999999", "99999999999999999999999", "9223372036854775807", "9223372036854775808",
    ])
    func anEnormousWaitIsCutToTheMaximum(value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == Self.maximum)
    }

    @Test func aRateLimitedAnswerCarriesTheClampedWait() {
        let outcome = ResponseClassifier.classify(
            status: 429, retryAfter: "Fri, 31 Dec 9999 23:59:59 GMT", body: [], now: Self.now)
        #expect(outcome == .rateLimited(retryAfter: Self.maximum))
        let seconds = ResponseClassifier.classify(status: 429, retryAfter: "99999999999", body: [], now: Self.now)
        #expect(seconds == .rateLimited(retryAfter: Self.maximum))
    }

    @Test func aRaisedMaximumAllowsLongerWaitsAndStillCaps() {
        let hour: Duration = .seconds(3600)
        #expect(RetryAfter.parse("1800", now: Self.now, maximum: hour) == .seconds(1800))
        #expect(RetryAfter.parse("99999999999", now: Self.now, maximum: hour) == hour)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: Self.now, maximum: hour) == hour)
        #expect(RetryAfter.parse("5", now: Self.now, maximum: .seconds(-1)) == .zero, "a negative maximum waits nothing")
        var rng = SystemRandomNumberGenerator()
        #expect(RetryPolicy().delay(afterAttempt: 1, retryAfter: .seconds(Int64.max), using: &rng) == Self.maximum)
        #expect(RetryPolicy().delay(afterAttempt: 1, retryAfter: .seconds(Int64.max), maxRetryAfter: hour, using: &rng) == hour)
        #expect(!RetryPolicy().allowsAnotherAttempt(attemptsMade: 1, elapsed: .seconds(Int64.max), after: .seconds(Int64.max)))
    }

    /// `now` at either end of the clock, dates at either end of the calendar.
    @Test(arguments: [Int64.min, -1, 0, Int64.max])
    func extremeClocksStayWithinZeroAndTheMaximum(nanoseconds: Int64) {
        let now = Timestamp(nanosecondsSinceEpoch: nanoseconds)
        for value in [
            "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 1601 00:00:00 GMT", "Friday, 31-Dec-99 23:59:59 GMT",
            "Mon Jan  1 00:00:00 1601", "99999999999", "0",
        ] {
            let wait = RetryAfter.parse(value, now: now)
            #expect(wait != nil, "\(value) is readable")
            #expect(wait.map { $0 >= .zero && $0 <= Self.maximum } ?? true, "\(value) at \(nanoseconds): \(String(describing: wait))")
        }
    }
}
