@testable import BookbagSim
import Testing

@Suite("JSON and formats")
struct JSONTests {
    @Test func parsesScalarsKeepingBooleansApartFromNumbers() throws {
        let value = try SimJSONParser.parse(#" {"a":true,"b":1,"c":-0.5e1,"d":null,"e":"x\"\u00e9\ud83d\ude00\n","f":[]} "#)
        #expect(
            value
                == .object([
                    "a": .bool(true), "b": .number(1), "c": .number(-5), "d": .null, "e": .string("x\"é😀\n"),
                    "f": .array([]),
                ]))
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,]", "01", "1.", "tru", #""\x""#, "{} x", "\"a\u{01}\"", "NaN"])
    func refusesInvalidJSON(text: String) {
        #expect(throws: SimJSONParser.ParseError.self) { try SimJSONParser.parse(text) }
    }

    @Test func capturesEntryTextAsReceived() throws {
        let body = #"{"meta":[1,2],"users":[ {"external_id":"a", "x":[3]} ,{"external_id":"b"}],"users2":[4]}"#
        var text = body
        let (value, raw) = try text.withUTF8 { try SimJSONParser.parseCapturingEntries(UnsafeRawBufferPointer($0)) }
        #expect(raw == ["users": [#"{"external_id":"a", "x":[3]}"#, #"{"external_id":"b"}"#]])
        #expect(value.objectValue?["users"]?.arrayValue?.count == 2)
    }

    @Test func writerEscapesAndRoundTrips() throws {
        var writer = SimJSONWriter()
        let value = SimJSONValue.object(["k\"ey": .array([.string("a\\b\u{1}"), .number(2.5), .number(3), .bool(false), .null])])
        writer.value(value)
        #expect(writer.output == #"{"k\"ey":["a\\b\u0001",2.5,3,false,null]}"#)
        #expect(try SimJSONParser.parse(writer.output) == value)
    }

    @Test(arguments: [
        ("2026-11-24T10:15:00.123Z", true), ("2026-11-24T10:15:00Z", true), ("2026-11-24T12:15:00+02:00", true),
        ("2024-02-29T00:00:00Z", true), ("2025-02-29T00:00:00Z", false), ("2026-11-24", false),
        ("2026-11-24T10:15:00", false), ("2026-13-01T00:00:00Z", false), ("2026-11-24T24:00:00Z", false),
        ("2026-11-24T10:15:00.Z", false), ("2026-11-24 10:15:00Z", false),
    ])
    func rfc3339(text: String, valid: Bool) {
        #expect(RFC3339.isValidDateTime(text) == valid)
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
