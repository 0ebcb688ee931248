@testable import BookbagSim
import Testing

@Suite("Upsert bodies and formats")
struct UpsertBodyTests {
    @Test func capturesEntryTextAsReceived() throws {
        let body = #"{"meta":[1,2],"users":[ {"external_id":"a", "x":[3]} ,{"external_id":"b"}],"users2":[4]}"#
        var text = body
        let parsed = try text.withUTF8 { try UpsertBody.parse(UnsafeRawBufferPointer($0)) }
        #expect(parsed.rawEntries == ["users": [#"{"external_id":"a", "x":[3]}"#, #"{"external_id":"b"}"#]])
        #expect(parsed.root.objectValue?["users"]?.arrayValue?.count == 2)
    }

    @Test func externalIDAndAttributeNameRules() {
        #expect(SimContact.isValidExternalID("user_8821.a-b"))
        #expect(!SimContact.isValidExternalID(""))
        #expect(!SimContact.isValidExternalID(String(repeating: "a", count: 129)))
        #expect(SimContact.isValidExternalID(String(repeating: "a", count: 128)))
        #expect(!SimContact.isValidExternalID("a b"))
        #expect(SimAttributeDefinition.isValidName("last_login-at"))
        #expect(!SimAttributeDefinition.isValidName("_x"))
        #expect(!SimAttributeDefinition.isValidName("a.b"))
    }
}
