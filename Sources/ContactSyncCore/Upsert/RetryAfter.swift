/// The `Retry-After` header of a 429 (RFC 9110 section 10.2.3).
public enum RetryAfter {
    /// Delta-seconds (`120`) or an HTTP-date (IMF-fixdate, RFC 850 or asctime),
    /// as a wait from `now`. A date in the past gives zero; unreadable gives nil.
    /// Absurdly large delta-seconds saturate rather than fail.
    public static func parse(_ value: String, now: Timestamp) -> Duration? {
        let utf8 = Array(value.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return nil }
        let trimmed = utf8[first...last]
        if trimmed.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            var seconds: Int64 = 0
            for digit in trimmed {
                let (times10, overflow1) = seconds.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return .seconds(Int64.max) }
                seconds = sum
            }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(String(decoding: trimmed, as: UTF8.self), now: now) else { return nil }
        let (wait, overflow) = date.nanosecondsSinceEpoch.subtractingReportingOverflow(now.nanosecondsSinceEpoch)
        if overflow { return date > now ? .seconds(Int64.max) : .zero }
        return .nanoseconds(max(wait, 0))
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
