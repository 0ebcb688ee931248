import Testing

@testable import ContactSyncCore

/// The contract's field rules, one by one, each through the decoder with a concrete record.
@Suite("Event validation rules")
struct ValidationRuleTests {
    private static let commonFields =
        #""type":"profile_changed","event_id":"evt-1","occurred_at":"2026-11-24T10:15:00.123Z","external_id":"user_8821""#

    private func failure(_ json: String, limits: DecodeLimits = DecodeLimits()) -> DecodeFailure? {
        if case .failure(let failure) = EventDecoder.decode(Array(json.utf8), limits: limits) { return failure }
        return nil
    }

    private func code(_ json: String, limits: DecodeLimits = DecodeLimits()) -> String? {
        failure(json, limits: limits)?.reason.code
    }

    private func event(_ json: String, limits: DecodeLimits = DecodeLimits()) -> StoreEvent? {
        try? EventDecoder.decode(Array(json.utf8), limits: limits).get()
    }

    private func withExternalID(_ id: String) -> String {
        #"{"type":"login","event_id":"evt-1","occurred_at":"2026-11-24T10:15:00Z","external_id":"\#(id)"}"#
    }

    private func withEventID(_ id: String) -> String {
        #"{"type":"login","event_id":"\#(id)","occurred_at":"2026-11-24T10:15:00Z","external_id":"u1"}"#
    }

    private func withAttributes(_ body: String) -> String {
        "{\(Self.commonFields),\"custom_attributes\":{\(body)}}"
    }

    // MARK: external_id

    @Test(arguments: ["a", "User.Name-1_x", "0", "-", "._-", String(repeating: "x", count: 128)])
    func externalIDPatternAccepts(_ id: String) {
        #expect(ExternalID.isValid(id))
        #expect(event(withExternalID(id))?.externalID == id)
    }

    @Test(arguments: [
        "", String(repeating: "x", count: 129), "user 8821", "user/8821", "müller", "ユーザー", "user\\n1",
        "user@example", "user+1", "a:b",
    ])
    func externalIDPatternRejects(_ id: String) {
        #expect(!ExternalID.isValid(id))
        let failure = failure(withExternalID(id))
        #expect(failure?.reason.code == "invalid_external_id")
        #expect(failure?.reason.message.contains("field 'external_id' must match ^[a-zA-Z0-9._-]{1,128}$") == true)
        #expect(failure?.externalID == nil)
        #expect(failure?.eventID == "evt-1")
    }

    @Test func externalIDMessagesSayWhatIsWrong() {
        #expect(failure(withExternalID(String(repeating: "x", count: 129)))?.reason.message.hasSuffix("(got 129 characters)") == true)
        #expect(failure(withExternalID(""))?.reason.message.hasSuffix("(got an empty string)") == true)
        #expect(failure(withExternalID("ab/c"))?.reason.message.hasSuffix("(got a character not allowed at position 3)") == true)
    }

    @Test func externalIDMayBeWrittenWithEscapes() {
        #expect(event(withExternalID(#"user\u005f1"#))?.externalID == "user_1")
        #expect(code(withExternalID(#"user\u00201"#)) == "invalid_external_id")
    }

    // MARK: event_id

    @Test func eventIDLengthIsOneTo128Characters() {
        #expect(code(withEventID("")) == "invalid_event_id")
        #expect(code(withEventID(String(repeating: "e", count: 129))) == "invalid_event_id")
        #expect(failure(withEventID(String(repeating: "e", count: 129)))?.reason.message.contains("got 129") == true)
        #expect(event(withEventID(String(repeating: "e", count: 128)))?.eventID.count == 128)
        // Characters, not bytes: 128 two-byte characters are fine, 129 are not.
        #expect(event(withEventID(String(repeating: "é", count: 128)))?.eventID == String(repeating: "é", count: 128))
        #expect(code(withEventID(String(repeating: "é", count: 129))) == "invalid_event_id")
        #expect(event(withEventID(#"evt\n\u00e9"#))?.eventID == "evt\né")
    }

    // MARK: required fields and their types

    @Test(arguments: ["type", "event_id", "occurred_at", "external_id"])
    func eachCommonFieldIsRequired(_ field: String) {
        var fields = [
            "type": #""login""#, "event_id": #""evt-1""#, "occurred_at": #""2026-11-24T10:15:00Z""#,
            "external_id": #""u1""#,
        ]
        fields[field] = nil
        let json = "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        let failure = failure(json)
        #expect(failure?.reason.code == "missing_field")
        #expect(failure?.reason.message == "missing required field '\(field)'")
    }

    @Test(arguments: [
        #"{"type":1,"event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#,
        #"{"type":"login","event_id":7,"occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#,
        #"{"type":"login","event_id":"e","occurred_at":1764065700123,"external_id":"u"}"#,
        #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":null}"#,
        #"{"type":"login","event_id":["e"],"occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","email":42}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","name":true}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","phone":{}}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","custom_attributes":[]}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","custom_attributes":null}"#,
        #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","custom_attributes":"a"}"#,
    ])
    func fieldsOfTheWrongTypeAreRejected(_ json: String) {
        #expect(code(json) == "wrong_type")
    }

    @Test func wrongTypeMessagesNameFieldAndKind() {
        let json = #"{"type":"profile_changed","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u","email":42}"#
        #expect(failure(json)?.reason.message == "field 'email' must be a string or null (got a number)")
    }

    @Test(arguments: [#""logout""#, #""Login""#, #""profile-changed""#, #""""#, #""login ""#])
    func unknownTypesAreRejected(_ type: String) {
        let json = #"{"type":\#(type),"event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u"}"#
        #expect(code(json) == "unknown_type")
    }

    @Test(arguments: [
        "2026-11-24", "2026-11-24T25:15:00Z", "2026-02-30T10:15:00Z", "2026-11-24T10:15:00.123", "yesterday",
        "1600-01-01T00:00:00Z",
    ])
    func invalidOccurredAtIsRejected(_ occurredAt: String) {
        let json = #"{"type":"login","event_id":"e","occurred_at":"\#(occurredAt)","external_id":"u"}"#
        let failure = failure(json)
        #expect(failure?.reason.code == "invalid_occurred_at")
        #expect(failure?.reason.message.hasPrefix("field 'occurred_at' must be an RFC 3339 timestamp") == true)
    }

    // MARK: custom attributes

    @Test(arguments: ["plan", "a", "A1", "x-y_z9", String(repeating: "a", count: 64)])
    func attributeNamePatternAccepts(_ name: String) {
        #expect(AttributeName.isValid(name))
        #expect(event(withAttributes("\"\(name)\":1"))?.customAttributes.first?.name == name)
    }

    @Test(arguments: [
        "", "1plan", "_plan", "-plan", "plan.tier", "plan tier", "plän", "plan/x", String(repeating: "a", count: 65),
    ])
    func attributeNamePatternRejects(_ name: String) {
        #expect(!AttributeName.isValid(name))
        let failure = failure(withAttributes("\"\(name)\":1"))
        #expect(failure?.reason.code == "invalid_attribute_name")
        #expect(failure?.eventID == "evt-1")
        #expect(failure?.externalID == "user_8821")
    }

    @Test func attributeValuesMustBeScalars() {
        let object = failure(withAttributes(#""plan":{"tier":"pro"}"#))
        #expect(object?.reason.code == "invalid_attribute_value")
        #expect(object?.reason.message == "custom attribute 'plan' must be a string, number, boolean or null (got an object)")
        #expect(code(withAttributes(#""tags":["a","b"]"#)) == "invalid_attribute_value")
        #expect(code(withAttributes(#""tags":[]"#)) == "invalid_attribute_value")
    }

    @Test func atMostMaxAttributesEntries() {
        let hundred = (1...100).map { "\"a\($0)\":\($0)" }.joined(separator: ",")
        #expect(event(withAttributes(hundred))?.customAttributes.count == 100)
        let hundredAndOne = (1...101).map { "\"a\($0)\":\($0)" }.joined(separator: ",")
        #expect(code(withAttributes(hundredAndOne)) == "too_many_attributes")
        // The limit counts entries, repeated names included.
        #expect(code(withAttributes(#""a":1,"a":2,"a":3"#), limits: DecodeLimits(maxAttributes: 2)) == "too_many_attributes")
        #expect(event(withAttributes(#""a":1,"b":2"#), limits: DecodeLimits(maxAttributes: 2)) != nil)
    }

    @Test func numbersBeyondDoubleAreRejected() {
        let failure = failure(withAttributes(#""ltv":1e400"#))
        #expect(failure?.reason.code == "number_out_of_range")
        #expect(failure?.reason.message.contains("'ltv'") == true)
        #expect(code(withAttributes(#""ltv":-1.5e309"#)) == "number_out_of_range")
        #expect(code(withAttributes("\"ltv\":1" + String(repeating: "0", count: 400))) == "number_out_of_range")
        // Tiny numbers round to zero, as in every JSON parser.
        #expect(event(withAttributes(#""ltv":1e-400"#))?.customAttributes.first?.value == .number(0))
        #expect(event(withAttributes(#""ltv":1.7976931348623157e308"#))?.customAttributes.first?.value == .number(.greatestFiniteMagnitude))
    }

    // MARK: string lengths

    @Test func profileStringsAreLimitedInBytes() {
        let atLimit = String(repeating: "n", count: 1024)
        #expect(event("{\(Self.commonFields),\"name\":\"\(atLimit)\"}")?.name == .set(atLimit))
        let failure = failure("{\(Self.commonFields),\"name\":\"\(atLimit)n\"}")
        #expect(failure?.reason.code == "string_too_long")
        #expect(failure?.reason.message == "field 'name' is 1025 bytes long; the limit is 1024")
        // Bytes, not characters: 513 two-byte characters are 1026 bytes.
        #expect(code("{\(Self.commonFields),\"email\":\"\(String(repeating: "é", count: 513))\"}") == "string_too_long")
        // Escapes count once unescaped: 1024 × \u0041 is 1024 bytes.
        let escaped = String(repeating: #"\u0041"#, count: 1024)
        #expect(event("{\(Self.commonFields),\"name\":\"\(escaped)\"}")?.name == .set(String(repeating: "A", count: 1024)))
        #expect(code("{\(Self.commonFields),\"name\":\"\(escaped)A\"}") == "string_too_long")
    }

    @Test func attributeStringsAreLimitedInBytes() {
        let tooLong = String(repeating: "v", count: 11)
        let failure = failure(withAttributes("\"plan\":\"\(tooLong)\""), limits: DecodeLimits(maxStringBytes: 10))
        #expect(failure?.reason.code == "string_too_long")
        #expect(failure?.reason.message == "custom attribute 'plan' is 11 bytes long; the limit is 10")
    }

    @Test func messagesNeverCarryPersonalData() {
        let secret = "ada.lovelace.secret@example.com"
        for field in ["email", "name", "phone"] {
            let json = "{\(Self.commonFields),\"\(field)\":\"\(secret)\",\"custom_attributes\":[]}"
            let failure = failure(json, limits: DecodeLimits(maxStringBytes: 8))
            #expect(failure?.reason.code == "string_too_long")
            #expect(failure?.reason.message.contains("ada") == false)
        }
    }

    // MARK: login ignores the profile fields

    @Test func loginIgnoresProfileFieldsEvenWhenInvalid() {
        let json = #"""
            {"type":"login","event_id":"e","occurred_at":"2026-11-24T10:15:00Z","external_id":"u",
             "email":42,"name":{"x":1},"phone":"+1","custom_attributes":{"1bad":[1e400]}}
            """#
        let decoded = event(json)
        #expect(decoded?.kind == .login)
        #expect(decoded?.email == .absent && decoded?.name == .absent && decoded?.phone == .absent)
        #expect(decoded?.customAttributes.isEmpty == true)
    }
}
