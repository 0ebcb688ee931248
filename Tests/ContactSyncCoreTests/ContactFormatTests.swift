import Testing

@testable import ContactSyncCore

/// Local email and phone checks (issue 11, "Validation"): what Bookbag (as
/// bookbag-sim models it) accepts passes, the rest is refused before any request.
@Suite("Email and phone formats")
struct ContactFormatTests {
    @Test(arguments: [
        "ada@example.com", "a@b.co", "first.last+tag@mail.example.org", "o'brien@example.ie", "用户@例子.广告",
        "x@sub.domain.example", String(repeating: "a", count: 242) + "@example.com",
    ])
    func acceptedEmails(_ email: String) {
        #expect(ContactFormat.isValidEmail(email), "\(email)")
    }

    @Test(arguments: [
        "", "ada.example.com", "@example.com", "ada@", "ada@example", "ada@home@example.com", "ada @example.com",
        "ada@example.com ", " ada@example.com", "ada@exam\tple.com", "ada@example..com", "ada@.example.com",
        "ada@example.com.", "ada\u{7F}@example.com", "ada\u{85}@example.com", "ada\u{0}@example.com",
        String(repeating: "a", count: 243) + "@example.com",
    ])
    func refusedEmails(_ email: String) {
        #expect(!ContactFormat.isValidEmail(email), "\(email.debugDescription)")
    }

    @Test(arguments: [
        "+44 20 7946 0000", "5551234", "+1 (555) 123-4567", "030.1234.5678", "+123456789012345", "(030) 12-34-56",
    ])
    func acceptedPhones(_ phone: String) {
        #expect(ContactFormat.isValidPhone(phone), "\(phone)")
    }

    @Test(arguments: [
        "", "+", "555123", "+1234567890123456", "call me", "+1 555 CALL-NOW", "555-1234 ext. 9", "1+5551234",
        "++15551234", " +15551234", "+1\u{A0}555 123 4567", "+1/555/1234567", "５５５１２３４５",
    ])
    func refusedPhones(_ phone: String) {
        #expect(!ContactFormat.isValidPhone(phone), "\(phone.debugDescription)")
    }

    @Test func theDecoderRefusesABadEmailOrPhoneWithItsOwnCodeAndNoPersonalData() throws {
        func decode(_ fields: String) -> Result<StoreEvent, DecodeFailure> {
            EventDecoder.decode(Array(#"{"type":"profile_changed","event_id":"e1","occurred_at":"2026-11-24T10:15:00Z","external_id":"u1",\#(fields)}"#.utf8))
        }
        guard case .failure(let email) = decode(#""email":"secret-name.example.com""#) else {
            Issue.record("a bad email decoded")
            return
        }
        #expect(email.reason.code == "invalid_email")
        #expect(!email.reason.message.contains("secret-name"))
        #expect(email.externalID == "u1" && email.eventID == "e1")
        guard case .failure(let phone) = decode(#""phone":"call 555""#) else {
            Issue.record("a bad phone decoded")
            return
        }
        #expect(phone.reason.code == "invalid_phone")
        #expect(!phone.reason.message.contains("call"))
        // null clears, and stays valid; an escaped form is checked once unescaped.
        #expect((try? decode(#""email":null,"phone":null"#).get())?.email == .clear)
        #expect((try? decode(#""email":"ada\u0040example.com""#).get())?.email == .set("ada@example.com"))
        guard case .failure(let escaped) = decode(#""email":"ada\u0020x@example.com""#) else {
            Issue.record("an escaped space decoded")
            return
        }
        #expect(escaped.reason.code == "invalid_email")
    }
}
