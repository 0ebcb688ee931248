extension JSONByteReader {
    /// Consumes a string at the cursor (which must be at its opening quote),
    /// checking escapes, surrogate pairs and that no raw control character occurs.
    mutating func scanString() throws(JSONReadError) -> JSONStringToken {
        guard current == JSONByte.quote else {
            throw .malformed("expected a string", at: position)
        }
        position &+= 1
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            // Eight plain bytes at a time (no quote, backslash or control character).
            while bytes.count &- position >= 8,
                !Self.mayNeedAttention(bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            {
                position &+= 8
            }
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == JSONByte.quote {
                let token = JSONStringToken(start: start, end: position, hasEscapes: hasEscapes)
                position &+= 1
                return token
            }
            if byte == JSONByte.backslash {
                hasEscapes = true
                try skipEscape()
            } else if byte < 0x20 {
                throw .malformed("unescaped control character in a string", at: position)
            } else {
                position &+= 1
            }
        }
        throw .malformed("unterminated string", at: start &- 1)
    }

    /// Whether any of eight bytes is a quote, a backslash or below 0x20 (exact
    /// as a yes/no answer; the classic "has zero byte" bit tricks).
    @inline(__always)
    private static func mayNeedAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(JSONByte.quote))
        let backslashes = word ^ (ones &* UInt64(JSONByte.backslash))
        let hasQuote = (quotes &- ones) & ~quotes
        let hasBackslash = (backslashes &- ones) & ~backslashes
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl) & highs != 0
    }

    /// Consumes one escape sequence at the cursor (at its backslash).
    private mutating func skipEscape() throws(JSONReadError) {
        let escapeStart = position
        guard let kind = byte(at: position &+ 1) else {
            throw .malformed("unterminated escape in a string", at: escapeStart)
        }
        switch kind {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash,
            UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position &+= 2
        case JSONByte.lowerU:
            guard let unit = hexQuad(at: position &+ 2) else {
                throw .malformed("\\u must be followed by four hex digits", at: escapeStart)
            }
            position &+= 6
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw .malformed("lone low surrogate in a \\u escape", at: escapeStart)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard byte(at: position) == JSONByte.backslash,
                    byte(at: position &+ 1) == JSONByte.lowerU,
                    let low = hexQuad(at: position &+ 2), low >= 0xDC00 && low <= 0xDFFF
                else {
                    throw .malformed("high surrogate not followed by a low surrogate", at: escapeStart)
                }
                position &+= 6
            }
        default:
            throw .malformed("invalid escape in a string", at: escapeStart)
        }
    }

    @inline(__always)
    private func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    /// The UTF-16 code unit spelled by four hex digits at `offset`, or nil.
    private func hexQuad(at offset: Int) -> UInt32? {
        guard offset >= 0, bytes.count &- offset >= 4 else { return nil }
        var unit: UInt32 = 0
        for index in offset..<(offset &+ 4) {
            guard let digit = JSONByte.hexValue(bytes[index]) else { return nil }
            unit = unit << 4 | digit
        }
        return unit
    }

    /// The raw bytes of a token without escapes.
    func rawBytes(of token: JSONStringToken) -> UnsafeRawBufferPointer {
        let start = max(0, min(token.start, bytes.count))
        let end = max(start, min(token.end, bytes.count))
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The UTF-8 bytes a token stands for, with escapes resolved. The token
    /// must come from `scanString` on these bytes (escapes already checked).
    func decodedBytes(of token: JSONStringToken) -> [UInt8] {
        let raw = rawBytes(of: token)
        guard token.hasEscapes else { return Array(raw) }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == JSONByte.backslash, index &+ 1 < raw.count else {
                out.append(byte)
                index &+= 1
                continue
            }
            let kind = raw[index &+ 1]
            index &+= 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case JSONByte.lowerU:
                var scalar = Self.hexQuad(in: raw, at: index) ?? 0xFFFD
                index &+= 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // scanString guarantees the low half follows as \uXXXX.
                    let low = Self.hexQuad(in: raw, at: index &+ 2) ?? 0xDC00
                    scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                    index &+= 6
                }
                Self.appendUTF8(scalar, to: &out)
            default: out.append(kind)  // \" \\ \/
            }
        }
        return out
    }

    /// The string a token stands for.
    func string(of token: JSONStringToken) -> String {
        if token.hasEscapes {
            return String(decoding: decodedBytes(of: token), as: UTF8.self)
        }
        return String(decoding: rawBytes(of: token), as: UTF8.self)
    }

    /// Whether a token stands for exactly the ASCII string `name`.
    func token(_ token: JSONStringToken, equals name: StaticString) -> Bool {
        if token.hasEscapes {
            return decodedBytes(of: token).withUnsafeBytes { Self.bytes($0, equal: name) }
        }
        return Self.bytes(rawBytes(of: token), equal: name)
    }

    /// Whether `bytes` are exactly the UTF-8 of `name`.
    static func bytes(_ bytes: UnsafeRawBufferPointer, equal name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = name.utf8Start
        var index = 0
        while index < count {
            guard bytes[index] == expected[index] else { return false }
            index &+= 1
        }
        return true
    }

    private static func hexQuad(in raw: UnsafeRawBufferPointer, at offset: Int) -> UInt32? {
        guard offset >= 0, raw.count &- offset >= 4 else { return nil }
        var unit: UInt32 = 0
        for index in offset..<(offset &+ 4) {
            guard let digit = JSONByte.hexValue(raw[index]) else { return nil }
            unit = unit << 4 | digit
        }
        return unit
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        // Any invalid scalar (cannot come from a checked token) becomes U+FFFD.
        let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        UTF8.encode(value) { out.append($0) }
    }
}
