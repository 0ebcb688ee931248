/// A point in time given on a command line: an RFC 3339 timestamp
/// (`2026-12-01T10:00:00Z`), a duration before now (`90s`, `15m`, `2h`, `7d`),
/// or `now`.
public enum TimeBound {
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if text == "now" { return now }
        if let absolute = Timestamp.parseRFC3339(text) { return absolute }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3_600
        case "d": seconds = 86_400
        default: return nil
        }
        // Checked before multiplying: a huge span is refused, not a crash.
        guard amount <= Int64.max / seconds else { return nil }
        let (span, overflow) = (amount * seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        return Timestamp(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &- span)
    }

    /// The usage text for options that take one.
    public static let help = "an RFC 3339 time (2026-12-01T10:00:00Z) or a span before now (90s, 15m, 2h, 7d)"
}
