/// Makes text from outside (Bookbag's error messages) safe to show in results,
/// dead letters and logs: control characters become spaces, the configured key
/// (`SecretRedaction`) and anything that looks like a Bookbag key or bearer
/// token is redacted, and the length is capped.
public enum DisplayMessage {
    public static let defaultLimit = 200

    /// At most `limit` characters; a cut message ends in `…`.
    public static func sanitized(_ text: String, limit: Int = defaultLimit) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true  // drops leading whitespace
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { scalars.append(" ") }
                lastWasSpace = true
            } else {
                scalars.append(scalar)
                lastWasSpace = false
            }
        }
        var cleaned = redactingSecrets(SecretRedaction.redact(String(scalars)))
        while cleaned.last == " " { cleaned.removeLast() }
        let limit = max(limit, 1)
        guard cleaned.count > limit else { return cleaned }
        return String(cleaned.prefix(limit - 1)) + "…"
    }

    /// Replaces `oc_…` keys and the word after `Bearer` with `[redacted]`,
    /// in case an error body ever echoes the request's credentials.
    static func redactingSecrets(_ text: String) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.contains(where: { looksLikeKey($0) || $0.lowercased() == "bearer" }) else { return text }
        var out: [Substring] = []
        out.reserveCapacity(words.count)
        var redactNext = false
        for word in words {
            if redactNext || looksLikeKey(word) {
                out.append("[redacted]")
            } else {
                out.append(word)
            }
            redactNext = word.lowercased() == "bearer"
        }
        return out.joined(separator: " ")
    }

    /// A word holding `oc_` at its start or after punctuation (`"oc_…`, `key=oc_…`).
    private static func looksLikeKey(_ word: Substring) -> Bool {
        var previous: Character? = nil
        var index = word.startIndex
        while index < word.endIndex {
            if word[index...].hasPrefix("oc_"), previous.map({ !$0.isLetter && !$0.isNumber }) ?? true {
                return true
            }
            previous = word[index]
            index = word.index(after: index)
        }
        return false
    }
}
