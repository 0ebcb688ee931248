extension Timestamp {
    /// RFC 3339 in UTC, exact to the nanosecond: milliseconds, or micro- or
    /// nanoseconds when the instant needs them, e.g. `2026-11-24T10:15:00.123Z`,
    /// `2026-11-24T10:15:00.123456789Z` (every Int64 instant, years 1677–2262).
    public var rfc3339Nanos: String {
        String(decoding: rfc3339NanosUTF8, as: UTF8.self)
    }

    /// `rfc3339Nanos` as UTF-8 bytes.
    public var rfc3339NanosUTF8: [UInt8] {
        // Floored without multiplying back, which would overflow near Int64.min.
        var seconds = nanosecondsSinceEpoch / 1_000_000_000
        var fraction = Int(nanosecondsSinceEpoch % 1_000_000_000)
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000_000
        }
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civilDate(fromDaysSinceEpoch: days)
        var out = [UInt8]()
        out.reserveCapacity(30)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") &+ UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int(year), 4); out.append(UInt8(ascii: "-"))
        digits(month, 2); out.append(UInt8(ascii: "-"))
        digits(day, 2); out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2); out.append(UInt8(ascii: "."))
        if fraction % 1_000_000 == 0 {
            digits(fraction / 1_000_000, 3)
        } else if fraction % 1000 == 0 {
            digits(fraction / 1000, 6)
        } else {
            digits(fraction, 9)
        }
        out.append(UInt8(ascii: "Z"))
        return out
    }

    /// Reads exactly the form `rfc3339Nanos` writes, with 1 to 9 fraction
    /// digits (or none): `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. Nil for any other
    /// shape, an impossible date or time, a leap second, or an instant outside
    /// Int64 nanoseconds. Unlike `parseRFC3339`, it reaches every Int64 instant,
    /// so whatever is written reads back.
    public static func parseRFC3339UTCNanos(utf8 bytes: UnsafeRawBufferPointer) -> Timestamp? {
        var position = 0
        func number(_ width: Int) -> Int64? {
            guard bytes.count - position >= width else { return nil }
            var value: Int64 = 0
            for _ in 0..<width {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
                position += 1
            }
            return value
        }
        func consume(_ ascii: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: ascii) else { return false }
            position += 1
            return true
        }
        guard let year = number(4), consume("-"), let month = number(2), consume("-"), let day = number(2),
            consume("T"), let hour = number(2), consume(":"), let minute = number(2), consume(":"),
            let second = number(2)
        else { return nil }
        var fraction: Int64 = 0
        if consume(".") {
            var digits = 0
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
                guard digits < 9 else { return nil }
                fraction = fraction * 10 + Int64(bytes[position] &- UInt8(ascii: "0"))
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        guard consume("Z"), position == bytes.count,
            (1...12).contains(month), day >= 1, day <= Int64(daysInMonth(year: Int(year), month: Int(month))),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = daysSinceEpoch(year: year, month: Int(month), day: Int(day))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        let (scaled, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        // Int64.min lies just past a whole second: the scaled second may overflow
        // on its own while adding the fraction would not, so split the step.
        if overflowed {
            let (closer, stillOverflowed) = (seconds + 1).multipliedReportingOverflow(by: 1_000_000_000)
            guard !stillOverflowed else { return nil }
            let (total, overflowedAgain) = closer.addingReportingOverflow(fraction - 1_000_000_000)
            return overflowedAgain ? nil : Timestamp(nanosecondsSinceEpoch: total)
        }
        let (total, overflowedAgain) = scaled.addingReportingOverflow(fraction)
        return overflowedAgain ? nil : Timestamp(nanosecondsSinceEpoch: total)
    }
}
