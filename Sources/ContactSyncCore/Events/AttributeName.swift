/// A custom attribute name: Bookbag's rule (a letter, then letters, digits,
/// underscores and hyphens), capped at 64 characters: `^[A-Za-z][A-Za-z0-9_-]{0,63}$`.
public enum AttributeName {
    public static let maxLength = 64
    public static let pattern = "^[A-Za-z][A-Za-z0-9_-]{0,63}$"

    public static func isValid(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValid(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `isValid(_:)` on UTF-8 bytes.
    static func isValid(utf8 bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, bytes.count <= maxLength, isLetter(first) else { return false }
        return bytes.allSatisfy { byte in
            isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
