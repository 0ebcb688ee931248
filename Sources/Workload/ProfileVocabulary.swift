import ContactSyncCore

/// The small, fixed vocabulary of profile edits. Each attribute name keeps one
/// JSON type, so the service's type inference sees a stable catalog.
enum ProfileVocabulary {
    enum AttributeKind: Sendable {
        case text([String])
        case cents(ClosedRange<Int>)  // a number with two decimals
        case count(ClosedRange<Int>)  // a whole number
        case flag
        case pastDate  // RFC 3339 ms UTC, up to three years before the workload starts
    }

    static let attributes: [(name: String, kind: AttributeKind)] = [
        ("plan", .text(["free", "basic", "pro", "enterprise"])),
        ("lifetime_value", .cents(0...2_500_000)),
        ("vip", .flag),
        ("signup_at", .pastDate),
        ("locale", .text(["en-US", "en-GB", "de-DE", "fr-FR", "ja-JP", "pt-BR", "es-MX"])),
        ("orders", .count(0...500)),
    ]

    /// Some with non-ASCII letters, an apostrophe or quotes, so JSON escaping and UTF-8 get exercised.
    static let firstNames = [
        "Ada", "Grace", "Alan", "Zoë", "José", "Amélie", "Jürgen", "Søren", "Chloé", "Mei",
        "Olu", "Priya", "Tomás", "Ines", "Kwame", "Noor", "Lars", "Yuki", "Robert \"Bob\"", "Åsa",
    ]
    static let lastNames = [
        "Lovelace", "Hopper", "Turing", "O'Brien", "Nguyen", "Müller", "García", "Okafor",
        "Kowalski", "Tanaka", "Haddad", "Silva", "Johansson", "Dubois", "Rossi", "Kim",
    ]
    static let emailDomains = ["example.com", "example.org", "mail.example.net", "shop.example"]
    static let loginSources = ["web", "ios", "android"]

    static func name(_ random: inout SplitMix64) -> String {
        random.pick(firstNames) + " " + random.pick(lastNames)
    }

    static func email(for customer: Int, _ random: inout SplitMix64) -> String {
        "c" + String(customer) + "." + String(random.next(below: 1000)) + "@" + random.pick(emailDomains)
    }

    static func phone(_ random: inout SplitMix64) -> String {
        "+1 555 " + String(100 + random.next(below: 900)) + " " + String(1000 + random.next(below: 9000))
    }

    static func value(of kind: AttributeKind, before start: Timestamp, _ random: inout SplitMix64)
        -> AttributeValue
    {
        switch kind {
        case .text(let choices): return .string(random.pick(choices))
        case .cents(let range): return .number(Double(random.next(in: range)) / 100)
        case .count(let range): return .number(Double(random.next(in: range)))
        case .flag: return .bool(random.chance(0.5))
        case .pastDate:
            let millisBack = Int64(random.next(below: 3 * 365 * 86_400_000))
            return .string(
                Timestamp(nanosecondsSinceEpoch: start.nanosecondsSinceEpoch - millisBack * 1_000_000)
                    .rfc3339Millis)
        }
    }
}
