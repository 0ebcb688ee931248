/// Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), eight ASCII bytes at a time where it can.
enum UTF8Validation {
    /// The offset of the first byte that does not start a valid sequence, or nil if all are valid.
    static func firstInvalidOffset(in bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        var index = 0
        while index < count {
            if index &+ 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    index &+= 8
                    continue
                }
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index &+= 1
                continue
            }
            // Continuation bytes needed, and the allowed range of the first one.
            var needed = 0
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: needed = 1
            case 0xE0: needed = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: needed = 2
            case 0xED: needed = 2; high = 0x9F
            case 0xF0: needed = 3; low = 0x90
            case 0xF1...0xF3: needed = 3
            case 0xF4: needed = 3; high = 0x8F
            default: return index
            }
            guard needed < count &- index else { return index }
            let first = bytes[index &+ 1]
            guard first >= low && first <= high else { return index }
            var next = 2
            while next <= needed {
                guard bytes[index &+ next] & 0xC0 == 0x80 else { return index }
                next &+= 1
            }
            index &+= needed &+ 1
        }
        return nil
    }
}
