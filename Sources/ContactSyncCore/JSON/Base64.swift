/// Standard base64 (RFC 4648 section 4, with `=` padding), for the original
/// key and value bytes in dead letters.
public enum Base64 {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` to `out` (used by `JSONWriter` to avoid a String).
    static func append(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        let wasContiguous: Void? = bytes.withContiguousStorageIfAvailable { append(buffer: $0, to: &out) }
        if wasContiguous == nil {
            Array(bytes).withUnsafeBufferPointer { append(buffer: $0, to: &out) }
        }
    }

    private static func append(buffer: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        alphabet.withUTF8Buffer { table in
            var index = 0
            while index + 3 <= buffer.count {
                let group = UInt32(buffer[index]) << 16 | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2])
                out.append(table[Int(group >> 18 & 0x3F)])
                out.append(table[Int(group >> 12 & 0x3F)])
                out.append(table[Int(group >> 6 & 0x3F)])
                out.append(table[Int(group & 0x3F)])
                index += 3
            }
            switch buffer.count - index {
            case 1:
                let group = UInt32(buffer[index]) << 16
                out.append(table[Int(group >> 18 & 0x3F)])
                out.append(table[Int(group >> 12 & 0x3F)])
                out.append(UInt8(ascii: "="))
                out.append(UInt8(ascii: "="))
            case 2:
                let group = UInt32(buffer[index]) << 16 | UInt32(buffer[index + 1]) << 8
                out.append(table[Int(group >> 18 & 0x3F)])
                out.append(table[Int(group >> 12 & 0x3F)])
                out.append(table[Int(group >> 6 & 0x3F)])
                out.append(UInt8(ascii: "="))
            default:
                break
            }
        }
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
}
