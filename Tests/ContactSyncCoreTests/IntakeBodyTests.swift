import Testing
import Workload

@testable import ContactSyncCore

@Suite("IntakeBody")
struct IntakeBodyTests {
    private static let limits = DecodeLimits()

    private static func event(_ index: Int, externalID: String = "user_8821") -> String {
        #"{"type":"profile_changed","event_id":"evt-\#(index)","occurred_at":"2026-11-24T10:15:00.123Z","#
            + #""external_id":"\#(externalID)","name":"Zoë \#(index)","custom_attributes":{"plan":"pro","n":\#(index)}}"#
    }

    private func parse(_ text: String, maxEvents: Int = 500, limits: DecodeLimits = limits)
        -> Result<[IntakeEvent], IntakeBodyRejection>
    {
        IntakeBody.parse(Array(text.utf8), maxEvents: maxEvents, limits: limits)
    }

    private func rejection(_ text: String, maxEvents: Int = 500, limits: DecodeLimits = limits) -> IntakeBodyRejection? {
        rejection(Array(text.utf8), maxEvents: maxEvents, limits: limits)
    }

    private func rejection(_ bytes: [UInt8], maxEvents: Int = 500, limits: DecodeLimits = limits) -> IntakeBodyRejection? {
        if case .failure(let rejection) = IntakeBody.parse(bytes, maxEvents: maxEvents, limits: limits) { return rejection }
        return nil
    }

    /// Each accepted event is the decoder's reading of its exact input bytes.
    private func expectRoundTrip(_ events: [IntakeEvent], of body: [UInt8], slices: [Range<Int>]) {
        #expect(events.map(\.index) == Array(slices.indices))
        for (event, slice) in zip(events, slices) {
            #expect(event.value == Array(body[slice]))
            #expect(event.value.first == UInt8(ascii: "{") && event.value.last == UInt8(ascii: "}"))
            #expect((try? EventDecoder.decode(event.value, limits: Self.limits).get()) == event.event)
        }
    }

    // MARK: accepted

    @Test func aSingleEventIsIndexZeroWithItsExactBytes() throws {
        let text = " \n\t" + Self.event(7) + "\r\n "
        let body = Array(text.utf8)
        let events = try parse(text).get()
        #expect(events.count == 1)
        #expect(events[0].event.eventID == "evt-7")
        #expect(events[0].event.name == .set("Zoë 7"))
        expectRoundTrip(events, of: body, slices: [3..<(body.count - 3)])
    }

    @Test func aBatchKeepsOrderAndExactBytesAndIgnoresOtherMembers() throws {
        let parts = [Self.event(0), " {  \"type\" : \"login\", \"event_id\":\"e-1\",\"occurred_at\":\"2026-11-24T12:15:00+02:00\",\"external_id\":\"u-1\" } ", Self.event(2)]
        var text = #"{"meta":{"sent_by":["shop",1,{"x":null}]},"events":["#
        var slices: [Range<Int>] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { text += ",\n  " }
            let trimmed = part.trimmingSpaces
            let leading = part.utf8.count - part.utf8.drop(while: { $0 == 0x20 }).count
            let start = text.utf8.count + leading
            slices.append(start..<(start + trimmed.utf8.count))
            text += part
        }
        text += #"], "version": 2, "events_count": 3}"#
        let body = Array(text.utf8)
        let events = try parse(text).get()
        #expect(events.map(\.event.eventID) == ["evt-0", "e-1", "evt-2"])
        #expect(events[1].event.kind == .login)
        expectRoundTrip(events, of: body, slices: slices)
    }

    @Test func anEscapedEventsKeyIsTheSameMember() throws {
        let text = #"{"\u0065vents":["# + Self.event(1) + "]}"
        #expect(try parse(text).get().map(\.event.eventID) == ["evt-1"])
    }

    @Test func fiveHundredEventsAreAcceptedAndFiveHundredAndOneAreTooMany() throws {
        let five = "{\"events\":[" + (0..<500).map { Self.event($0) }.joined(separator: ",") + "]}"
        #expect(try parse(five).get().count == 500)
        let more = "{\"events\":[" + (0..<501).map { Self.event($0) }.joined(separator: ",") + "]}"
        let tooMany = rejection(more)
        #expect(tooMany?.code == "too_many_events")
        #expect(tooMany?.message == "the batch has 501 events; the limit is 500")
        #expect(tooMany?.events == [])
    }

    /// About 1 MiB of the workload generator's valid events in one batch: all
    /// read, each equal to the generator's own event (no timing asserted).
    @Test func aOneMebibyteBatchParses() throws {
        let spec = WorkloadSpec(events: 20_000, customers: 2_000, badRecordShare: 0, seed: 11)
        var body = Array(#"{"events":["#.utf8)
        var expected: [StoreEvent] = []
        for record in WorkloadGenerator(spec: spec) where body.count < (1 << 20) - 2048 {
            if !expected.isEmpty { body.append(UInt8(ascii: ",")) }
            body += record.value
            expected.append(try #require(record.event))
        }
        body += Array("]}".utf8)
        #expect(body.count > 1_000_000)
        let events = try IntakeBody.parse(body, maxEvents: 100_000, limits: Self.limits).get()
        #expect(events.count == expected.count)
        #expect(events.map(\.event) == expected)
        #expect(events.map(\.index) == Array(expected.indices))
    }

    /// The contract's examples (schemas/examples/*/intake-batch) read as the schema says.
    @Test func theSchemaExamplesAgree() throws {
        let valid = try SchemaExamples.files("valid/intake-batch")
        #expect(valid.count >= 2)
        for file in valid {
            #expect((try? IntakeBody.parse(file.bytes, maxEvents: 500, limits: Self.limits).get()) != nil, "\(file.name)")
        }
        let invalid = try SchemaExamples.files("invalid/intake-batch")
        #expect(invalid.count >= 3)
        for file in invalid {
            #expect(rejection(file.bytes) != nil, "\(file.name)")
        }
    }

    // MARK: refused events

    @Test func badEventsAreListedByIndexAndNothingIsAccepted() {
        let events = (0..<5).map { Self.event($0, externalID: $0 == 1 || $0 == 3 ? "has space" : "user-\($0)") }
        let text = "{\"events\":[" + events.joined(separator: ",") + "]}"
        let found = rejection(text)
        #expect(found?.code == "invalid_events")
        #expect(found?.events.map(\.index) == [1, 3])
        #expect(found?.events.map(\.code) == ["invalid_external_id", "invalid_external_id"])
        let decoderMessage: String? =
            if case .failure(let failure) = EventDecoder.decode(Array(events[1].utf8)) { failure.reason.message } else { nil }
        #expect(found?.events.first?.message == decoderMessage)
        #expect(found?.message == "2 of 5 events are invalid; none was accepted")
    }

    @Test func anyValueInTheArrayIsJudgedByTheDecoder() {
        let text = "{\"events\":[" + Self.event(0) + #", 3, "x", [], null, {}]}"#
        let found = rejection(text)
        #expect(found?.code == "invalid_events")
        #expect(found?.events.map(\.index) == [1, 2, 3, 4, 5])
        #expect(found?.events.map(\.code) == ["not_an_object", "not_an_object", "not_an_object", "not_an_object", "missing_field"])
    }

    @Test func aSingleBadEventIsIndexZero() {
        let found = rejection(#"{"type":"login","event_id":"e"}"#)
        #expect(found?.code == "invalid_events")
        #expect(found?.events.map(\.index) == [0])
        #expect(found?.events.first?.code == "missing_field")
        #expect(found?.message == "1 of 1 event is invalid; none was accepted")
    }

    @Test func theListStopsAtAHundredAndTheMessageCountsAll() {
        let events = (0..<200).map { Self.event($0, externalID: $0 % 4 == 0 ? "user-\($0)" : "bad/\($0)") }
        let found = rejection("{\"events\":[" + events.joined(separator: ",") + "]}")
        #expect(found?.events.count == 100)
        #expect(found?.events.map(\.index) == Array((0..<200).filter { $0 % 4 != 0 }.prefix(100)))
        #expect(found?.message == "150 of 200 events are invalid; none was accepted (the first 100 are listed)")
    }

    // MARK: refused bodies

    @Test func anEmptyBatchIsRefused() {
        #expect(rejection(#"{"events": []}"#)?.code == "empty_batch")
        #expect(rejection(#" { "events" : [ ] } "#)?.code == "empty_batch")
    }

    @Test(arguments: [#"{"events": {}}"#, #"{"events": null}"#, #"{"events": "[]"}"#, #"{"events": 1}"#])
    func eventsMustBeAnArray(_ text: String) {
        let found = rejection(text)
        #expect(found?.code == "events_not_an_array")
        #expect(found?.events == [])
    }

    @Test(arguments: [
        "", "   ", "[]", "\"event\"", "null", "12", "{", "{\"events\":[", "{\"events\":[]", "{}{}", "{} x",
        "{\"events\":[{}]}}", "{\"events\":[{},]}", "{\"events\":[{}] \"x\":1}", "{'events':[]}",
        "{\"events\":[],\"events\":[{}]}", "\u{FEFF}{}",
    ])
    func malformedBodies(_ text: String) {
        #expect(rejection(text)?.code == "malformed_body", "\(text.debugDescription)")
    }

    @Test func trailingGarbageAfterAValidBodyIsMalformed() {
        let found = rejection(Self.event(1) + " garbage")
        #expect(found?.code == "malformed_body")
        #expect(found?.message.contains("unexpected data after the JSON value") == true)
        #expect(rejection("{\"events\":[" + Self.event(1) + "]}\n,")?.code == "malformed_body")
    }

    @Test func invalidUTF8IsMalformed() {
        var body = Array(Self.event(1).utf8)
        body.insert(0xC3, at: body.count - 2)
        let found = rejection(body)
        #expect(found?.code == "malformed_body")
        #expect(found?.message == "the body is not valid UTF-8 (byte \(body.count - 3))")
    }

    @Test func nestingIsBoundedForTheWholeBody() {
        var limits = DecodeLimits()
        limits.maxDepth = 4
        func wrapped(_ levels: Int) -> String {
            String(repeating: "[", count: levels) + "1" + String(repeating: "]", count: levels)
        }
        let base = #"{"type":"login","event_id":"e","occurred_at":"2026-11-24T12:15:00Z","external_id":"u","x":"#
        // An event nesting exactly maxDepth levels (itself and 3 arrays) passes, in a batch too.
        #expect((try? parse(base + wrapped(3) + "}", limits: limits).get())?.count == 1)
        #expect((try? parse("{\"events\":[" + base + wrapped(3) + "}]}", limits: limits).get())?.count == 1)
        // One level more is the decoder's too_deep, where the body's own bound (maxDepth + 2) allows it.
        let single = rejection(base + wrapped(4) + "}", limits: limits)
        #expect(single?.code == "invalid_events")
        #expect(single?.events.first?.code == "too_deep")
        // Beyond maxDepth + 2 the body itself is refused before any event is decoded.
        #expect(rejection(base + wrapped(6) + "}", limits: limits)?.code == "malformed_body")
        #expect(rejection("{\"events\":[" + base + wrapped(4) + "}]}", limits: limits)?.code == "malformed_body")
        let deep = String(repeating: "[", count: 100_000)
        #expect(rejection("{\"events\":" + deep)?.code == "malformed_body")
    }
}

extension String {
    /// Without the ASCII spaces at either end.
    fileprivate var trimmingSpaces: String {
        String(decoding: utf8.drop(while: { $0 == 0x20 }).reversed().drop(while: { $0 == 0x20 }).reversed(), as: UTF8.self)
    }
}
