extension Timestamp {
    /// Nanoseconds since the epoch, from a Unix time in seconds (fractions kept to the nanosecond).
    public init(secondsSinceEpoch seconds: Double) {
        self.init(nanosecondsSinceEpoch: Int64((seconds * 1_000_000_000).rounded()))
    }

    public var millisecondsSinceEpoch: Int64 { nanosecondsSinceEpoch.floorDiv(1_000_000) }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-24T10:15:00.123Z` (the
    /// form contact-sync writes: `decided_at`, `last_login_at`, date attributes).
    /// (One allocation: the bytes are written into the string's own storage.)
    public var rfc3339Millis: String {
        String(unsafeUninitializedCapacity: Self.rfc3339MillisLength) { writeRFC3339Millis(to: $0) }
    }

    /// `rfc3339Millis`'s bytes, appended (no String on the way).
    public func appendRFC3339Millis(to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: Self.rfc3339MillisLength))
        out.withUnsafeMutableBufferPointer { _ = writeRFC3339Millis(to: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    static let rfc3339MillisLength = 24

    /// Writes the `rfc3339MillisLength` bytes at the start of `out`; returns how many.
    private func writeRFC3339Millis(to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let millis = millisecondsSinceEpoch
        let days = millis.floorDiv(86_400_000)
        let msOfDay = Int(millis - days * 86_400_000)
        let (year, month, day) = Self.civilDate(fromDaysSinceEpoch: days)
        var index = 0
        func put(_ byte: UInt8) {
            out[index] = byte
            index += 1
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                put(UInt8(ascii: "0") &+ UInt8(v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(year), 4); put(UInt8(ascii: "-"))
        digits(month, 2); put(UInt8(ascii: "-"))
        digits(day, 2); put(UInt8(ascii: "T"))
        digits(msOfDay / 3_600_000, 2); put(UInt8(ascii: ":"))
        digits(msOfDay / 60_000 % 60, 2); put(UInt8(ascii: ":"))
        digits(msOfDay / 1000 % 60, 2); put(UInt8(ascii: "."))
        digits(msOfDay % 1000, 3); put(UInt8(ascii: "Z"))
        return index
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (timestamps before 1970 stay correct).
    @inlinable func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
