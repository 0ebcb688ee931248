/// Bookbag's rule for a contact's `external_id` (and `userId`):
/// `^[a-zA-Z0-9._-]{1,128}$`.
public enum ExternalID {
    public static let maxLength = 128
    public static let pattern = "^[a-zA-Z0-9._-]{1,128}$"

    public static func isValid(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValid(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `isValid(_:)` on UTF-8 bytes.
    static func isValid(utf8 bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    @inline(__always)
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
