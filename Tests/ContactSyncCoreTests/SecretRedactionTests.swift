import ContactSyncCore
import Testing

/// The configured key is redacted exactly, whatever it looks like (not only `oc_…`).
@Suite struct SecretRedactionTests {
    private let key = "Zq9-core-secret-XYZ"

    @Test func aRegisteredKeyIsRedactedFromDisplayMessagesWhateverItLooksLike() {
        SecretRedaction.register(key)
        #expect(DisplayMessage.sanitized("token \(key) is not valid") == "token [redacted] is not valid")
        #expect(DisplayMessage.sanitized("{\"key\":\"\(key)\"}") == "{\"key\":\"[redacted]\"}")
        #expect(DisplayMessage.sanitized("\(key)\(key)") == "[redacted][redacted]")
    }

    @Test func theKeyIsRedactedBeforeALongMessageIsCut() {
        SecretRedaction.register(key)
        let message = String(repeating: "a", count: DisplayMessage.defaultLimit - 10) + key
        let shown = DisplayMessage.sanitized(message)
        #expect(!shown.contains("Zq9-c"), "no part of the key survives the cut")
    }

    @Test func redactLeavesOtherTextAloneAndIgnoresAnEmptySecret() {
        SecretRedaction.register("")
        SecretRedaction.register(key)
        #expect(SecretRedaction.redact("nothing secret here") == "nothing secret here")
        #expect(SecretRedaction.redact("a \(key) b \(key)") == "a [redacted] b [redacted]")
        #expect(SecretRedaction.redact("Zq9-core-secret-XY") == "Zq9-core-secret-XY", "a prefix is not the key")
        #expect(SecretRedaction.redact("é\(key)é") == "é[redacted]é")
    }
}
