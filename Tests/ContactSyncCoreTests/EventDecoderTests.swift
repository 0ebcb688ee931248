import Foundation
import Testing

@testable import ContactSyncCore

@Suite("EventDecoder")
struct EventDecoderTests {
    private static let occurredAt = Timestamp(nanosecondsSinceEpoch: 1_795_515_300_123_000_000)

    private func decode(_ json: String, limits: DecodeLimits = DecodeLimits()) -> Result<StoreEvent, DecodeFailure> {
        EventDecoder.decode(Array(json.utf8), limits: limits)
    }

    private func failure(_ bytes: [UInt8], limits: DecodeLimits = DecodeLimits()) -> DecodeFailure? {
        if case .failure(let failure) = EventDecoder.decode(bytes, limits: limits) { return failure }
        return nil
    }

    private func failure(_ json: String, limits: DecodeLimits = DecodeLimits()) -> DecodeFailure? {
        failure(Array(json.utf8), limits: limits)
    }

    // MARK: valid events

    @Test func decodesAFullProfileChange() throws {
        let json = #"""
            {"type":"profile_changed","event_id":"evt-1","occurred_at":"2026-11-24T10:15:00.123Z",
             "external_id":"user_8821","email":"ada@example.com","name":"Ada Lovelace","phone":"+44 20 7946 0000",
             "custom_attributes":{"plan":"pro","lifetime_value":1234.5,"vip":true,"churned":false,"coupon":null,
                                  "orders":0,"score":-12,"ratio":2.5e-3}}
            """#
        let event = try decode(json).get()
        #expect(event.kind == .profileChanged)
        #expect(event.eventID == "evt-1")
        #expect(event.occurredAt == Self.occurredAt)
        #expect(event.externalID == "user_8821")
        #expect(event.email == .set("ada@example.com"))
        #expect(event.name == .set("Ada Lovelace"))
        #expect(event.phone == .set("+44 20 7946 0000"))
        #expect(event.customAttributes.map(\.name) == ["plan", "lifetime_value", "vip", "churned", "coupon", "orders", "score", "ratio"])
        #expect(event.customAttributes.map(\.value) == [
            .string("pro"), .number(1234.5), .bool(true), .bool(false), .null, .number(0), .number(-12), .number(0.0025),
        ])
    }

    @Test func distinguishesAbsentNullAndValue() throws {
        let json = #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00.123Z","external_id":"u","email":null,"name":""}"#
        let event = try decode(json).get()
        #expect(event.email == .clear)
        #expect(event.name == .set(""))
        #expect(event.phone == .absent)
        #expect(event.customAttributes.isEmpty)
    }

    @Test func decodesALogin() throws {
        let json = #"{"type":"login","event_id":"evt-8","occurred_at":"2026-11-24T12:15:00+02:00","external_id":"user_8821","ip":"203.0.113.9","device":null}"#
        let event = try decode(json).get()
        #expect(event == StoreEvent(
            kind: .login, eventID: "evt-8", occurredAt: Timestamp(nanosecondsSinceEpoch: 1_795_515_300_000_000_000),
            externalID: "user_8821"))
    }

    @Test func convertsOffsetsAndKeepsFractions() throws {
        let json = #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T15:45:00.123456789+05:30","external_id":"u"}"#
        #expect(try decode(json).get().occurredAt.nanosecondsSinceEpoch == 1_795_515_300_123_456_789)
    }

    @Test func decodesEscapes() throws {
        let json = #"""
            {"type":"profile_changed","event_id":"evt\u002d1","occurred_at":"2026-11-24T10:15:00.123Z","external_id":"u",
             "name":"Ada \"The Countess\" Lovelace\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00 ü",
             "custom_attributes":{"note":"line1\nline2","emoji":"\uD83C\uDF89"}}
            """#
        let event = try decode(json).get()
        #expect(event.eventID == "evt-1")
        #expect(event.name == .set("Ada \"The Countess\" Lovelace\\/\u{8}\u{C}\n\r\té€😀 ü"))
        #expect(event.customAttributes.map(\.value) == [.string("line1\nline2"), .string("🎉")])
    }

    @Test func recognisesEscapedKeys() throws {
        let json = #"{"\u0074ype":"login","event_\u0069d":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#
        #expect(try decode(json).get().kind == .login)
        let attributes = #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","\u0065mail":"x@example.com","custom_attributes":{"pl\u0061n":1}}"#
        let event = try decode(attributes).get()
        #expect(event.email == .set("x@example.com"))
        #expect(event.customAttributes.map(\.name) == ["plan"])
    }

    @Test func ignoresUnknownFieldsOfAnyShape() throws {
        let json = #"""
            {"schema_version":3,"producer":{"host":"store-7","tags":[1,2,{"deep":[true,false,null]}]},
             "type":"profile_changed","huge":1e400,"event_id":"evt-3","occurred_at":"2026-11-24T10:15:00.123-05:30",
             "external_id":"cust-42","name":"Grace","custom_attributes":{},"": "empty key", "emails":[]}
            """#
        let event = try decode(json).get()
        #expect(event.eventID == "evt-3")
        #expect(event.name == .set("Grace"))
        #expect(event.occurredAt.rfc3339Millis == "2026-11-24T15:45:00.123Z")
    }

    @Test func acceptsWhitespaceEverywhere() throws {
        let json = " \n\t{ \"type\" : \"login\" ,\r\n \"event_id\" : \"e\" , \"occurred_at\" : \"2026-11-24T10:15:00Z\" , \"external_id\" : \"u\" } \n"
        #expect(try decode(json).get().kind == .login)
    }

    @Test func aRepeatedKeyTakesItsLastValue() throws {
        let json = #"{"type":"profile_changed","event_id":"first","event_id":"second","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","email":"a@x","email":null,"custom_attributes":{"plan":"free","vip":true,"plan":"pro"}}"#
        let event = try decode(json).get()
        #expect(event.eventID == "second")
        #expect(event.email == .clear)
        // The attribute keeps its first place, with its last value.
        #expect(event.customAttributes.map(\.name) == ["plan", "vip"])
        #expect(event.customAttributes.map(\.value) == [.string("pro"), .bool(true)])
    }

    @Test func decodesFromARawBuffer() throws {
        let bytes = Array(#"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#.utf8)
        let result = bytes.withUnsafeBytes { EventDecoder.decode($0, limits: DecodeLimits()) }
        #expect(try result.get().externalID == "u")
    }

    // MARK: rejections of the value as a whole

    @Test func rejectsAnEmptyValue() {
        #expect(failure([UInt8]())?.reason.code == "empty_value")
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        if case .failure(let failure) = EventDecoder.decode(empty, limits: DecodeLimits()) {
            #expect(failure.reason.code == "empty_value")
        } else {
            Issue.record("an empty buffer decoded")
        }
    }

    @Test func rejectsAValueOverTheSizeLimit() {
        let json = #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#
        let limit = json.utf8.count
        #expect((try? decode(json, limits: DecodeLimits(maxValueBytes: limit)).get()) != nil)
        let failure = failure(json, limits: DecodeLimits(maxValueBytes: limit - 1))
        #expect(failure?.reason.code == "value_too_large")
        #expect(failure?.reason.message == "the value is \(limit) bytes; the limit is \(limit - 1)")
        let megabyte = Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
        #expect(self.failure(megabyte)?.reason.code == "value_too_large")
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bad: [UInt8]) {
        let prefix = Array(#"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","x":""#.utf8)
        let failure = failure(prefix + bad + Array(#""}"#.utf8))
        #expect(failure?.reason.code == "invalid_utf8")
        #expect(failure?.reason.message == "the value is not valid UTF-8 (byte \(prefix.count))")
    }

    @Test(arguments: [
        "{", "}", "{\"type\"}", "{\"type\":}", "{\"type\":\"login\",}", "{\"type\":\"login\" \"x\":1}",
        "{type:\"login\"}", "{'type':'login'}", "{\"a\":tru}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
        "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":NaN}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":\"unterminated}", "{\"a\":[1,2}", "{\"a\":{\"b\":1]}", "{} {}", "{}x", "   ", "\u{FEFF}{}",
        "{\"a\":1}garbage", "{\"a\":[1,]}",
    ])
    func rejectsMalformedJSON(_ json: String) {
        let failure = failure(json)
        #expect(failure?.reason.code == "malformed_json")
        #expect(failure?.reason.message.hasPrefix("malformed JSON at byte ") == true)
    }

    @Test(arguments: [
        (#"["profile_changed"]"#, "an array"), (#""login""#, "a string"), ("42", "a number"), ("null", "null"),
        ("true", "a boolean"), ("  [] ", "an array"),
    ])
    func rejectsValuesThatAreNotObjects(_ json: String, _ kind: String) {
        let failure = failure(json)
        #expect(failure?.reason.code == "not_an_object")
        #expect(failure?.reason.message == "the value must be a JSON object (got \(kind))")
    }

    @Test func rejectsDeepNestingWithoutRecursing() {
        let deepArrays = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(failure(#"{"type":"login","x":"# + deepArrays + "}")?.reason.code == "too_deep")
        #expect(failure(deepArrays)?.reason.code == "too_deep")
        let deepObjects = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(failure(deepObjects)?.reason.code == "too_deep")
        // Unterminated hostile nesting is still too deep, not merely malformed.
        #expect(failure(String(repeating: "[", count: 100_000))?.reason.code == "too_deep")
    }

    @Test func depthLimitCountsTheEventObjectAsLevelOne() {
        func nested(_ levels: Int) -> String {
            #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","x":"#
                + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}"
        }
        #expect((try? decode(nested(32)).get()) != nil)
        let failure = failure(nested(33))
        #expect(failure?.reason.code == "too_deep")
        #expect(failure?.reason.message.hasPrefix("JSON nesting deeper than 32 levels") == true)
        #expect((try? decode(nested(3), limits: DecodeLimits(maxDepth: 3)).get()) != nil)
        #expect(self.failure(nested(4), limits: DecodeLimits(maxDepth: 3))?.reason.code == "too_deep")
        // Beyond 64 levels the skipper's stack spills; it must still track objects and arrays.
        let mixed = #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","x":"#
            + String(repeating: #"[{"k":"#, count: 60) + "0" + String(repeating: "}]", count: 60) + "}"
        #expect((try? decode(mixed, limits: DecodeLimits(maxDepth: 200)).get()) != nil)
        #expect(self.failure(mixed, limits: DecodeLimits(maxDepth: 120))?.reason.code == "too_deep")
    }

    // MARK: best-effort identity of failed records

    @Test func failuresCarryValidIDs() {
        let json = #"{"type":"login","event_id":"evt-9","occurred_at":"yesterday","external_id":"user_1"}"#
        let failure = failure(json)
        #expect(failure == DecodeFailure(
            reason: failure?.reason ?? RejectReason(code: "", message: ""), eventID: "evt-9", externalID: "user_1"))
        #expect(failure?.reason.code == "invalid_occurred_at")
    }

    @Test func failuresLeaveOutInvalidIDs() {
        let badExternal = failure(#"{"type":"login","event_id":"evt-9","occurred_at":"2026-11-24T10:15:00Z","external_id":"a b"}"#)
        #expect(badExternal?.eventID == "evt-9")
        #expect(badExternal?.externalID == nil)
        let badEvent = failure(#"{"type":"login","event_id":"","occurred_at":"2026-11-24T10:15:00Z","external_id":"ab"}"#)
        #expect(badEvent?.eventID == nil)
        #expect(badEvent?.externalID == "ab")
        let numbers = failure(#"{"type":"login","event_id":1,"external_id":2}"#)
        #expect(numbers?.eventID == nil && numbers?.externalID == nil)
    }

    @Test func malformedJSONKeepsTheIDsReadBeforeTheBreak() {
        let truncated = failure(#"{"event_id":"evt-9","external_id":"user_1","type":"log"#)
        #expect(truncated?.reason.code == "malformed_json")
        #expect(truncated?.eventID == "evt-9")
        #expect(truncated?.externalID == "user_1")
        let brokenFirst = failure(#"{"x":nope,"event_id":"evt-9","external_id":"user_1"}"#)
        #expect(brokenFirst?.reason.code == "malformed_json")
        #expect(brokenFirst?.eventID == nil && brokenFirst?.externalID == nil)
        let tooDeep = failure(#"{"event_id":"evt-9","x":"# + String(repeating: "[", count: 50))
        #expect(tooDeep?.reason.code == "too_deep")
        #expect(tooDeep?.eventID == "evt-9")
    }

    // MARK: the contract's examples

    @Test(arguments: ["valid/login", "valid/profile-changed"])
    func validExamplesDecode(_ folder: String) throws {
        let files = try SchemaExamples.files(folder)
        #expect(!files.isEmpty)
        for file in files {
            if case .failure(let failure) = EventDecoder.decode(file.bytes) {
                Issue.record("\(folder)/\(file.name): \(failure.reason.code): \(failure.reason.message)")
            }
        }
    }

    @Test(arguments: ["invalid/login", "invalid/profile-changed"])
    func invalidExamplesAreRejectedWithTheRightCode(_ folder: String) throws {
        let expectedCodes = [
            "event-id-as-number.json": "wrong_type", "external-id-null.json": "wrong_type",
            "missing-external-id.json": "missing_field", "missing-occurred-at.json": "missing_field",
            "occurred-at-date-only.json": "invalid_occurred_at", "occurred-at-hour-25.json": "invalid_occurred_at",
            "unknown-type.json": "unknown_type", "101-attributes.json": "too_many_attributes",
            "attribute-name-65-chars.json": "invalid_attribute_name",
            "attribute-name-starts-with-digit.json": "invalid_attribute_name",
            "attribute-name-with-dot.json": "invalid_attribute_name", "attribute-value-array.json": "invalid_attribute_value",
            "attribute-value-object.json": "invalid_attribute_value", "custom-attributes-as-array.json": "wrong_type",
            "email-as-number.json": "wrong_type", "event-id-129-chars.json": "invalid_event_id",
            "event-id-empty.json": "invalid_event_id", "external-id-129-chars.json": "invalid_external_id",
            "external-id-empty.json": "invalid_external_id", "external-id-with-slash.json": "invalid_external_id",
            "external-id-with-space.json": "invalid_external_id", "missing-event-id.json": "missing_field",
            "name-too-long.json": "string_too_long", "not-an-object.json": "not_an_object",
            "occurred-at-as-number.json": "wrong_type", "occurred-at-impossible-date.json": "invalid_occurred_at",
            "occurred-at-without-offset.json": "invalid_occurred_at",
            "email-without-at.json": "invalid_email", "email-domain-without-dot.json": "invalid_email",
            "phone-with-letters.json": "invalid_phone", "phone-6-digits.json": "invalid_phone",
        ]
        let files = try SchemaExamples.files(folder)
        #expect(!files.isEmpty)
        for file in files {
            let result = EventDecoder.decode(file.bytes)
            if folder == "invalid/profile-changed" && file.name == "wrong-type.json" {
                // A login carrying profile fields breaks the profile_changed schema,
                // but is a valid login: the fields are ignored.
                #expect((try? result.get())?.kind == .login)
                continue
            }
            guard case .failure(let failure) = result else {
                Issue.record("\(folder)/\(file.name) decoded but should be rejected")
                continue
            }
            if let expected = expectedCodes[file.name] {
                #expect(failure.reason.code == expected, "\(folder)/\(file.name)")
            }
        }
    }
}
