extension Base64 {
    /// The bytes spelled by standard base64 (RFC 4648 section 4), or nil.
    ///
    /// Strict, so that each byte string has exactly one accepted spelling: the
    /// length is a multiple of 4, `=` appears only as the last one or two
    /// characters, the bits that padding leaves unused are zero, and nothing
    /// else (no whitespace, no URL-safe alphabet) is allowed.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        let decoded: [UInt8]?? = text.withContiguousStorageIfAvailable { decode(buffer: $0) }
        if let decoded { return decoded }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private static func decode(buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard buffer.count % 4 == 0 else { return nil }
        guard !buffer.isEmpty else { return [] }
        let padding = buffer[buffer.count - 1] == padByte ? (buffer[buffer.count - 2] == padByte ? 2 : 1) : 0
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count / 4 * 3 - padding)
        var index = 0
        while index < buffer.count {
            let isLast = index + 4 == buffer.count
            let significant = isLast ? 4 - padding : 4
            var group: UInt32 = 0
            for offset in 0..<4 {
                group <<= 6
                guard offset < significant else { continue }
                guard let value = sextet(buffer[index + offset]) else { return nil }
                group |= value
            }
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            if significant > 2 { out.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if significant > 3 { out.append(UInt8(truncatingIfNeeded: group)) }
            // Bits below the last whole byte must be zero (RFC 4648 section 3.5).
            if significant == 2 && group & 0xFFFF != 0 { return nil }
            if significant == 3 && group & 0xFF != 0 { return nil }
            index += 4
        }
        return out
    }

    private static let padByte = UInt8(ascii: "=")

    /// The 6-bit value of one alphabet character, or nil (`=` included: it is handled by the caller).
    @inline(__always)
    private static func sextet(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte &- UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte &- UInt8(ascii: "a") &+ 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte &- UInt8(ascii: "0") &+ 52)
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
