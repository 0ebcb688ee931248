/// HTTP-date (RFC 9110 section 5.6.7) in its three forms, always GMT:
///   IMF-fixdate  `Sun, 06 Nov 1994 08:49:37 GMT`
///   RFC 850      `Sunday, 06-Nov-94 08:49:37 GMT`
///   asctime      `Sun Nov  6 08:49:37 1994`
/// The weekday is not checked against the date (recipients may ignore it).
/// Years 1601 to 9999 are read; most of them lie outside what a `Timestamp`
/// (nanoseconds in an Int64, 1677 to 2262) can hold, so the result is in seconds.
enum HTTPDate {
    /// Seconds since 1970-01-01T00:00:00Z, or nil when `text` is not an HTTP-date.
    /// `now` resolves RFC 850's two-digit year: one more than 50 years ahead
    /// is read as the most recent past year with those digits.
    static func secondsSinceEpoch(_ text: String, now: Timestamp) -> Int64? {
        let parts = text.split(separator: " ")
        switch parts.count {
        case 6 where parts[0].hasSuffix(","):  // IMF-fixdate
            guard parts[5] == "GMT", parts[1].count == 2, parts[3].count == 4,
                let day = number(parts[1]), let month = month(parts[2]), let year = number(parts[3]).map(Int64.init)
            else { return nil }
            return seconds(year: year, month: month, day: day, time: parts[4])
        case 4 where parts[0].hasSuffix(","):  // RFC 850
            let date = parts[1].split(separator: "-", omittingEmptySubsequences: false)
            guard parts[3] == "GMT", date.count == 3, date[0].count == 2, date[2].count == 2,
                let day = number(date[0]), let month = month(date[1]), let twoDigits = number(date[2]).map(Int64.init)
            else { return nil }
            return seconds(year: fullYear(twoDigits, now: now), month: month, day: day, time: parts[2])
        case 5:  // asctime
            guard parts[1].count == 3 && (1...2).contains(parts[2].count) && parts[4].count == 4,
                let month = month(parts[1]), let day = number(parts[2]), let year = number(parts[4]).map(Int64.init)
            else { return nil }
            return seconds(year: year, month: month, day: day, time: parts[3])
        default:
            return nil
        }
    }

    /// Plain ASCII digits only (`Int(_:)` would also take a sign).
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    private static func month(_ name: Substring) -> Int? {
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return names.firstIndex(where: { $0 == name }).map { $0 + 1 }
    }

    private static func fullYear(_ twoDigits: Int64, now: Timestamp) -> Int64 {
        let days = now.nanosecondsSinceEpoch.floorDiv(86_400_000_000_000)
        let currentYear = Timestamp.civilDate(fromDaysSinceEpoch: days).year
        var year = currentYear - currentYear % 100 + twoDigits
        if year > currentYear + 50 { year -= 100 }
        return year
    }

    /// At most about 2.5e11 seconds either way for years 1601...9999: no overflow.
    private static func seconds(year: Int64, month: Int, day: Int, time: Substring) -> Int64? {
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let hour = number(clock[0]), let minute = number(clock[1]), let second = number(clock[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1601...9999).contains(year), Timestamp.isValidDay(day, month: month, year: year)
        else { return nil }
        let days = Timestamp.daysSinceEpoch(year: year, month: month, day: day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
