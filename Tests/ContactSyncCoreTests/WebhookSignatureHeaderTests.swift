import Testing

@testable import ContactSyncCore

@Suite("WebhookSignatureHeader")
struct WebhookSignatureHeaderTests {
    private static let a = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    private static let b = "YlF0Xy+YYfeUq4+u81RqMOv9dFJTJQjz5UrfFYG3nKs="

    private func decoded(_ text: String) -> [UInt8] { Base64.decode(Array(text.utf8))! }

    @Test func readsEveryV1EntryInOrder() {
        #expect(WebhookSignatureHeader.v1Signatures("v1,\(Self.a)") == [decoded(Self.a)])
        #expect(WebhookSignatureHeader.v1Signatures("v1,\(Self.a) v1,\(Self.b)") == [decoded(Self.a), decoded(Self.b)])
    }

    @Test func toleratesSeveralSpaces() {
        #expect(WebhookSignatureHeader.v1Signatures("  v1,\(Self.a)    v1,\(Self.b)  ") == [decoded(Self.a), decoded(Self.b)])
    }

    @Test func skipsOtherVersionsAndUndecodableEntries() {
        let header = "v1a,\(Self.a) v2,\(Self.a) V1,\(Self.a) v1,not*base64 v1 v1, ,\(Self.a) v1,\(Self.b) v1,,\(Self.a)"
        #expect(WebhookSignatureHeader.v1Signatures(header) == [decoded(Self.b)])
    }

    @Test func noUsableEntryIsAnEmptyList() {
        #expect(WebhookSignatureHeader.v1Signatures("") == [])
        #expect(WebhookSignatureHeader.v1Signatures("   ") == [])
        #expect(WebhookSignatureHeader.v1Signatures("v1a,\(Self.a)") == [])
    }

    @Test func refusesOversizedHeaders() {
        let entry = "v1,\(Self.a)"
        let thirtyTwo = Array(repeating: entry, count: 32).joined(separator: " ")
        #expect(WebhookSignatureHeader.v1Signatures(thirtyTwo)?.count == 32)
        #expect(WebhookSignatureHeader.v1Signatures(thirtyTwo + " x") == nil)
        let exactly4096 = entry + String(repeating: " ", count: 4096 - entry.utf8.count)
        #expect(WebhookSignatureHeader.v1Signatures(exactly4096)?.count == 1)
        #expect(WebhookSignatureHeader.v1Signatures(exactly4096 + " ") == nil)
    }
}
