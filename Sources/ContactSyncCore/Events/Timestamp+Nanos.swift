extension Timestamp {
    /// RFC 3339 in UTC, exact to the nanosecond: milliseconds, or micro- or
    /// nanoseconds when the instant needs them, e.g. `2026-11-24T10:15:00.123Z`,
    /// `2026-11-24T10:15:00.123456789Z` (every Int64 instant, years 1677–2262).
    public var rfc3339Nanos: String {
        String(decoding: rfc3339NanosUTF8, as: UTF8.self)
    }

    /// `rfc3339Nanos` as UTF-8 bytes.
    public var rfc3339NanosUTF8: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(30)
        appendRFC3339Nanos(to: &out)
        return out
    }

    /// `rfc3339NanosUTF8`, appended.
    public func appendRFC3339Nanos(to out: inout [UInt8]) {
        // The millisecond form, floored, then any sub-millisecond digits before
        // the `Z` (a remainder, not a multiplication, which would overflow near Int64.min).
        appendRFC3339Millis(to: &out)
        var belowMillis = Int(nanosecondsSinceEpoch % 1_000_000)
        if belowMillis < 0 { belowMillis += 1_000_000 }
        guard belowMillis != 0 else { return }
        out.removeLast()
        var value = belowMillis
        var width = 6
        if value % 1000 == 0 {
            value /= 1000
            width = 3
        }
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(value / divisor % 10))
            divisor /= 10
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// Reads exactly the form `rfc3339Nanos` writes, with 1 to 9 fraction
    /// digits (or none): `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. Nil for any other
    /// shape, an impossible date or time, a leap second, or an instant outside
    /// Int64 nanoseconds. Unlike `parseRFC3339`, it reaches every Int64 instant,
    /// so whatever is written reads back.
    public static func parseRFC3339UTCNanos(utf8 bytes: UnsafeRawBufferPointer) -> Timestamp? {
        var cursor = RFC3339Cursor(bytes: bytes)
        guard let year = cursor.number(digits: 4), cursor.consume(UInt8(ascii: "-")),
            let month = cursor.number(digits: 2), cursor.consume(UInt8(ascii: "-")),
            let day = cursor.number(digits: 2), cursor.consume(UInt8(ascii: "T")),
            let hour = cursor.number(digits: 2), cursor.consume(UInt8(ascii: ":")),
            let minute = cursor.number(digits: 2), cursor.consume(UInt8(ascii: ":")),
            let second = cursor.number(digits: 2)
        else { return nil }
        var fraction: Int64 = 0
        if cursor.consume(UInt8(ascii: ".")) {
            let start = cursor.position
            // More than nine digits would not be exact: refused, not truncated.
            guard let nanoseconds = cursor.fractionNanoseconds(), cursor.position - start <= 9 else { return nil }
            fraction = nanoseconds
        }
        guard cursor.consume(UInt8(ascii: "Z")), cursor.isAtEnd,
            isValidDay(day, month: month, year: Int64(year)),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = daysSinceEpoch(year: Int64(year), month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        // Int64.min lies just past a whole second: the second alone overflows
        // while the instant does not, so count from the next second down.
        let borrow: Int64 = seconds < 0 ? 1 : 0
        let (scaled, overflowed) = (seconds + borrow).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowed else { return nil }
        let (total, overflowedAgain) = scaled.addingReportingOverflow(fraction - borrow * 1_000_000_000)
        return overflowedAgain ? nil : Timestamp(nanosecondsSinceEpoch: total)
    }
}
