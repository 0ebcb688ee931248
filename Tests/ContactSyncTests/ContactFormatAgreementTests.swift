import ContactSyncCore
import Testing

@testable import BookbagSim

/// contact-sync refuses an email or phone locally exactly when bookbag-sim (our
/// model of Bookbag) would refuse it: a stricter service would drop contacts
/// Bookbag takes, a looser one would cost split requests.
@Suite("Email and phone: service and sim agree")
struct ContactFormatAgreementTests {
    static let emails = [
        "ada@example.com", "a@b.co", "first.last+tag@mail.example.org", "用户@例子.广告", "", "@", "a@", "@b.c",
        "ada.example.com", "ada@example", "ada@@example.com", "ada@home@example.com", "ada @example.com",
        "ada@example..com", "ada@.example.com", "ada@example.com.", "ada\u{7F}@x.io", "ada\u{85}@x.io", "ada\u{A0}@x.io",
        "ada\t@x.io", "a@b.c\u{301}", "a\u{301}@b.c", "@\u{301}b.c", "a@b.c\n", String(repeating: "a", count: 242) + "@example.com",
        String(repeating: "a", count: 243) + "@example.com", String(repeating: "é", count: 121) + "@example.com",
        String(repeating: "é", count: 122) + "@example.com",
    ]
    static let phones = [
        "+44 20 7946 0000", "5551234", "555123", "+1 (555) 123-4567", "030.1234.5678", "+123456789012345",
        "+1234567890123456", "", "+", "++5551234", "1+5551234", " +5551234", "+1 555 CALL", "５５５１２３４",
        "+1\u{A0}555 123 4567", "+1/555/1234567", "(((5551234)))", "-------1234567", "+\u{301}5551234",
    ]

    @Test func theServiceAndTheSimAcceptTheSameEmails() {
        for email in Self.emails {
            #expect(ContactFormat.isValidEmail(email) == ContactFieldFormat.isValidEmail(email), "\(email.debugDescription)")
        }
    }

    @Test func theServiceAndTheSimAcceptTheSamePhones() {
        for phone in Self.phones {
            #expect(ContactFormat.isValidPhone(phone) == ContactFieldFormat.isValidPhone(phone), "\(phone.debugDescription)")
        }
    }
}
