/// Bookbag's format rules for a contact's `email` and `phone` (`phonenumber`),
/// checked locally so one bad entry costs no split requests. bookbag-sim
/// applies the same rules (Sources/BookbagSim/Upsert/ContactFieldFormat.swift).
///
/// - email: at most 254 bytes; exactly one `@`; a non-empty local part; a
///   domain of two or more non-empty dot-separated labels; no space or control
///   character (U+0000–U+0020, U+007F–U+009F) anywhere.
/// - phone: an optional leading `+`, then digits, spaces, `-`, `.`, `(` and `)`
///   only, with 7 to 15 digits (E.164 allows 15).
public enum ContactFormat {
    public static let maxEmailBytes = 254
    public static let phoneDigits = 7...15

    public static func isValidEmail(_ text: String) -> Bool { emailProblem(text) == nil }

    public static func isValidPhone(_ text: String) -> Bool { phoneProblem(text) == nil }

    static func emailProblem(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { emailProblem(UnsafeRawBufferPointer($0)) }
    }

    static func phoneProblem(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { phoneProblem(UnsafeRawBufferPointer($0)) }
    }

    /// Why `utf8` is not an email address Bookbag accepts, or nil. Never
    /// quotes the value (personal data).
    static func emailProblem(_ utf8: UnsafeRawBufferPointer) -> String? {
        guard utf8.count <= maxEmailBytes else { return "it is longer than \(maxEmailBytes) bytes" }
        if containsSpaceOrControl(utf8) { return "it contains a space or a control character" }
        guard let at = utf8.firstIndex(of: UInt8(ascii: "@")) else { return "it has no '@'" }
        guard at == utf8.lastIndex(of: UInt8(ascii: "@")) else { return "it has more than one '@'" }
        guard at > 0 else { return "nothing comes before the '@'" }
        let domain = utf8[(at + 1)...]
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else {
            return "its domain is not dot-separated names such as example.com"
        }
        return nil
    }

    /// Why `utf8` is not a phone number Bookbag accepts, or nil.
    static func phoneProblem(_ utf8: UnsafeRawBufferPointer) -> String? {
        var digits = 0
        for (index, byte) in utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): continue
            case UInt8(ascii: "+") where index == 0: continue
            default: return "only digits, spaces, '-', '.', '(', ')' and a leading '+' are allowed"
            }
        }
        guard phoneDigits.contains(digits) else {
            return "it has \(digits) digits; \(phoneDigits.lowerBound) to \(phoneDigits.upperBound) are allowed"
        }
        return nil
    }

    /// U+0000–U+0020 and U+007F in one byte; U+0080–U+009F are C2 80 to C2 9F in UTF-8.
    private static func containsSpaceOrControl(_ utf8: UnsafeRawBufferPointer) -> Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte <= 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) { return true }
            previous = byte
        }
        return false
    }
}
