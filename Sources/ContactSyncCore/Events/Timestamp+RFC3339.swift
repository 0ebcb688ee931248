extension Timestamp {
    /// Parses an RFC 3339 timestamp with an offset,
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` ('t' and 'z' also accepted),
    /// converting it to UTC. Fractions are kept to the nanosecond (further
    /// digits are dropped). A leap second (`:60`) counts as the next second.
    /// Nil for anything else: a missing offset, an impossible date or time, or
    /// an instant outside what Int64 nanoseconds hold (about years 1678–2261).
    public static func parseRFC3339(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { parseRFC3339(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `parseRFC3339(_:)` on UTF-8 bytes.
    public static func parseRFC3339(utf8 bytes: [UInt8]) -> Timestamp? {
        bytes.withUnsafeBytes { parseRFC3339(utf8: $0) }
    }

    /// `parseRFC3339(_:)` on UTF-8 bytes.
    public static func parseRFC3339(utf8 bytes: UnsafeRawBufferPointer) -> Timestamp? {
        guard let time = RFC3339DateTime(utf8: bytes) else { return nil }
        let days = daysSinceEpoch(year: Int64(time.year), month: time.month, day: time.day)
        let seconds = days * 86_400 + Int64(time.hour * 3600 + time.minute * 60 + time.second) - time.offsetSeconds
        // Instants from 1678 to 2261 (UTC) only: every one of them fits in Int64
        // nanoseconds and survives formatting to milliseconds and parsing back.
        guard seconds >= Self.earliestSupportedSecond, seconds < Self.endOfSupportedSeconds else { return nil }
        // Before the epoch, borrow one second so that Int64.min itself stays reachable.
        let borrow: Int64 = seconds < 0 ? 1 : 0
        let (scaled, overflowed) = (seconds + borrow).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowed else { return nil }
        let (total, overflowedAgain) = scaled.addingReportingOverflow(time.nanosecond - borrow * 1_000_000_000)
        guard !overflowedAgain else { return nil }
        return Timestamp(nanosecondsSinceEpoch: total)
    }

    static let earliestSupportedSecond = daysSinceEpoch(year: 1678, month: 1, day: 1) * 86_400
    static let endOfSupportedSeconds = daysSinceEpoch(year: 2262, month: 1, day: 1) * 86_400
}

/// The checked fields of an RFC 3339 date-time, any year 0000 to 9999:
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` ('t' and 'z' also accepted), a
/// real calendar day, a time up to `23:59:60`. Nil for any other shape.
public struct RFC3339DateTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// The fraction as nanoseconds (further digits are dropped).
    public var nanosecond: Int64
    /// East of UTC is positive.
    public var offsetSeconds: Int64

    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    public init?(utf8 bytes: UnsafeRawBufferPointer) {
        var cursor = RFC3339Cursor(bytes: bytes)
        guard let year = cursor.number(digits: 4), cursor.consume(UInt8(ascii: "-")),
            let month = cursor.number(digits: 2), cursor.consume(UInt8(ascii: "-")),
            let day = cursor.number(digits: 2),
            cursor.consume(UInt8(ascii: "T")) || cursor.consume(UInt8(ascii: "t")),
            let hour = cursor.number(digits: 2), cursor.consume(UInt8(ascii: ":")),
            let minute = cursor.number(digits: 2), cursor.consume(UInt8(ascii: ":")),
            let second = cursor.number(digits: 2)
        else { return nil }
        var nanosecond: Int64 = 0
        if cursor.consume(UInt8(ascii: ".")) {
            guard let fraction = cursor.fractionNanoseconds() else { return nil }
            nanosecond = fraction
        }
        let offsetSeconds: Int64
        if cursor.consume(UInt8(ascii: "Z")) || cursor.consume(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else {
            let sign: Int64
            if cursor.consume(UInt8(ascii: "+")) {
                sign = 1
            } else if cursor.consume(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHour = cursor.number(digits: 2), cursor.consume(UInt8(ascii: ":")),
                let offsetMinute = cursor.number(digits: 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * Int64(offsetHour * 3600 + offsetMinute * 60)
        }
        guard cursor.isAtEnd, Timestamp.isValidDay(day, month: month, year: Int64(year)),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.nanosecond = nanosecond
        self.offsetSeconds = offsetSeconds
    }
}

/// Reads the fixed-width pieces of an RFC 3339 timestamp (also for the clock
/// record's strict form, `parseRFC3339UTCNanos`).
struct RFC3339Cursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var isAtEnd: Bool { position >= bytes.count }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Exactly `digits` decimal digits as a number.
    mutating func number(digits: Int) -> Int? {
        guard bytes.count - position >= digits else { return nil }
        var value = 0
        for _ in 0..<digits {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
            position += 1
        }
        return value
    }

    /// One or more digits after the decimal point, as nanoseconds (truncated).
    mutating func fractionNanoseconds() -> Int64? {
        var nanoseconds: Int64 = 0
        var count = 0
        while position < bytes.count {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            if count < 9 { nanoseconds = nanoseconds * 10 + Int64(digit) }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        var scale = count
        while scale < 9 {
            nanoseconds *= 10
            scale += 1
        }
        return nanoseconds
    }
}
