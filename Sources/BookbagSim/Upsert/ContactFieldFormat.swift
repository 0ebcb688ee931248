/// What Bookbag accepts as a contact's `email` and `phonenumber` (our model of
/// it; contact-sync checks the same rules before sending, in
/// Sources/ContactSyncCore/Events/ContactFormat.swift). Written separately, on
/// Unicode scalars, so the two can be checked against each other.
enum ContactFieldFormat {
    /// At most 254 UTF-8 bytes, exactly one `@`, a non-empty local part, a
    /// domain of at least two non-empty dot-separated labels, and no space or
    /// control character.
    static func isValidEmail(_ text: String) -> Bool {
        guard text.utf8.count <= 254 else { return false }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            return false
        }
        let parts = text.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// An optional leading `+`, then digits, spaces, `-`, `.`, `(` and `)`,
    /// with 7 to 15 digits.
    static func isValidPhone(_ text: String) -> Bool {
        var rest = Substring.UnicodeScalarView(text.unicodeScalars)
        if rest.first == "+" { rest = rest.dropFirst() }
        var digits = 0
        for scalar in rest {
            if ("0"..."9").contains(scalar) {
                digits += 1
            } else if !" -.()".unicodeScalars.contains(scalar) {
                return false
            }
        }
        return (7...15).contains(digits)
    }
}
