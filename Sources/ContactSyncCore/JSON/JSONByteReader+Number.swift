extension JSONByteReader {
    /// Consumes a number at the cursor, checking the JSON grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), and returns its byte range.
    mutating func scanNumber() throws(JSONReadError) -> Range<Int> {
        let start = position
        if current == JSONByte.minus { position &+= 1 }
        guard let first = current, JSONByte.isDigit(first) else {
            throw .malformed("expected a digit in a number", at: position)
        }
        position &+= 1
        if first == JSONByte.zero {
            if let next = current, JSONByte.isDigit(next) {
                throw .malformed("leading zeros are not allowed in a number", at: start)
            }
        } else {
            skipDigits()
        }
        if current == JSONByte.dot {
            position &+= 1
            try requireDigits("expected a digit after the decimal point")
        }
        if current == JSONByte.lowerE || current == JSONByte.upperE {
            position &+= 1
            if current == JSONByte.plus || current == JSONByte.minus { position &+= 1 }
            try requireDigits("expected a digit in the exponent")
        }
        return start..<position
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < bytes.count && JSONByte.isDigit(bytes[position]) { position &+= 1 }
    }

    private mutating func requireDigits(_ detail: String) throws(JSONReadError) {
        guard let digit = current, JSONByte.isDigit(digit) else {
            throw .malformed(detail, at: position)
        }
        skipDigits()
    }

    /// The value of a number scanned by `scanNumber`, correctly rounded, or nil
    /// when it lies beyond the range of `Double` (e.g. `1e400`). Numbers too
    /// small to represent become zero, as in every JSON parser.
    func doubleValue(of range: Range<Int>) -> Double? {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[range])
        if let exact = Self.exactDouble(raw) { return exact }
        // Rare shapes (many digits, large exponents): the standard library's
        // correctly rounded conversion. The grammar is already checked.
        guard let value = Double(String(decoding: raw, as: UTF8.self)), value.isFinite else {
            return nil
        }
        return value
    }

    /// Clinger's fast path: a mantissa of at most 2^53 scaled by 10^k, |k| <= 22,
    /// is exact in one multiplication or division. Nil when it does not apply.
    private static func exactDouble(_ raw: UnsafeRawBufferPointer) -> Double? {
        var index = 0
        let negative = raw.first == JSONByte.minus
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var seenDot = false
        while index < raw.count {
            let byte = raw[index]
            if JSONByte.isDigit(byte) {
                if mantissa != 0 || byte != JSONByte.zero { significantDigits &+= 1 }
                guard significantDigits <= 18 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(byte &- JSONByte.zero)
                if seenDot { exponent &-= 1 }
            } else if byte == JSONByte.dot {
                seenDot = true
            } else {
                break  // exponent marker
            }
            index &+= 1
        }
        if index < raw.count {
            index &+= 1  // 'e' or 'E'
            var exponentNegative = false
            if index < raw.count && (raw[index] == JSONByte.minus || raw[index] == JSONByte.plus) {
                exponentNegative = raw[index] == JSONByte.minus
                index &+= 1
            }
            var written = 0
            while index < raw.count {
                written = written &* 10 &+ Int(raw[index] &- JSONByte.zero)
                guard written <= 400 else { return nil }
                index &+= 1
            }
            exponent &+= exponentNegative ? -written : written
        }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        var value = Double(mantissa)
        if exponent < 0 {
            value /= powersOfTen[-exponent]
        } else {
            value *= powersOfTen[exponent]
        }
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
