/// The `Retry-After` header of a 429 (RFC 9110 section 10.2.3).
public enum RetryAfter {
    /// The longest wait a server may impose unless configured otherwise
    /// (`BOOKBAG_MAX_RETRY_AFTER_MS`); Google's and AWS's clients cap their backoff alike.
    public static let defaultMaximum: Duration = .seconds(60)

    /// Delta-seconds (`120`) or an HTTP-date (IMF-fixdate, RFC 850 or asctime),
    /// as a wait from `now`, always within `[0, maximum]`: a date in the past
    /// gives zero, anything longer than `maximum` (up to the year 9999, or more
    /// seconds than a clock holds) gives `maximum`. Unreadable gives nil.
    public static func parse(_ value: String, now: Timestamp, maximum: Duration = defaultMaximum) -> Duration? {
        let cap = max(maximum.saturatingNanoseconds, 0)
        let utf8 = Array(value.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return nil }
        let trimmed = utf8[first...last]
        if trimmed.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return .nanoseconds(min(deltaNanoseconds(trimmed), cap))
        }
        guard let seconds = HTTPDate.secondsSinceEpoch(String(decoding: trimmed, as: UTF8.self), now: now) else { return nil }
        return .nanoseconds(clampedWait(untilSecond: seconds, from: now.nanosecondsSinceEpoch, cap: cap))
    }

    /// The digits as nanoseconds, saturating at Int64.max.
    private static func deltaNanoseconds(_ digits: ArraySlice<UInt8>) -> Int64 {
        var nanoseconds: Int64 = 0
        for digit in digits {
            let (times10, overflow1) = nanoseconds.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")) * 1_000_000_000)
            guard !overflow1, !overflow2 else { return .max }
            nanoseconds = sum
        }
        return nanoseconds
    }

    /// From `now` to the start of `second`, within `[0, cap]`, without overflow
    /// for any pair (a second past 2262 cannot be held in nanoseconds at all).
    private static func clampedWait(untilSecond second: Int64, from now: Int64, cap: Int64) -> Int64 {
        let (target, outOfRange) = second.multipliedReportingOverflow(by: 1_000_000_000)
        if outOfRange { return second > 0 ? cap : 0 }
        let (wait, overflow) = target.subtractingReportingOverflow(now)
        if overflow { return target > now ? cap : 0 }
        return min(max(wait, 0), cap)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
