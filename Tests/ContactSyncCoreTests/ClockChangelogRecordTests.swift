import Foundation
import Testing

import ContactSyncCore

@Suite struct ClockChangelogRecordTests {
    private typealias F = ClockFixture

    /// 2026-11-24T10:15:00Z
    static let base: Int64 = 1_795_515_300

    /// The record in schemas/examples/valid/clock/written-by-contact-sync.json.
    static let sample = ClockChangelogRecord(
        externalID: "c-1",
        clocks: F.clocks([
            (.attribute("plan"), FieldClock(occurredAt: Timestamp(nanosecondsSinceEpoch: -1), digest: 0)),
            (.lastLoginAt, FieldClock(occurredAt: F.at(base + 7), digest: 0xfedc_ba98_7654_3210)),
            (.phone, FieldClock(occurredAt: F.at(base, nanos: 123_456_789), digest: ValueDigest.of(.null))),
            (.name, FieldClock(occurredAt: F.at(base, nanos: 123_456_000), digest: 0x0123_4567_89ab_cdef)),
            (.email, FieldClock(occurredAt: F.at(base, nanos: 123_000_000), digest: ValueDigest.of(.string("a@x.io")))),
        ]),
        writer: "7d0c1f9e-2b1a-4c55-9e0b-3f1d2a6b8c41")

    private func decoded(_ text: String) -> Result<ClockChangelogRecord, ClockRecordError> {
        ClockChangelogRecord.decode(Array(text.utf8))
    }

    private func errorMessage(_ text: String) -> String? {
        if case .failure(let error) = decoded(text) { return error.message }
        return nil
    }

    /// The schema's example is byte for byte what the encoder writes, so they cannot drift apart.
    @Test func encoderWritesTheSchemaExample() throws {
        var file = try #require(try SchemaExamples.files("valid/clock").first { $0.name == "written-by-contact-sync.json" }).bytes
        if file.last == UInt8(ascii: "\n") { file.removeLast() }
        #expect(String(decoding: Self.sample.jsonBytes(), as: UTF8.self) == String(decoding: file, as: UTF8.self))
        #expect(try ClockChangelogRecord.decode(file).get() == Self.sample)
    }

    @Test func validExamplesDecode() throws {
        let files = try SchemaExamples.files("valid/clock")
        #expect(files.count >= 3)
        for file in files {
            if case .failure(let error) = ClockChangelogRecord.decode(file.bytes) {
                Issue.record("valid/clock/\(file.name): \(error.message)")
            }
        }
    }

    @Test func invalidExamplesAreRejected() throws {
        let files = try SchemaExamples.files("invalid/clock")
        #expect(files.count >= 10)
        for file in files {
            if case .success = ClockChangelogRecord.decode(file.bytes) {
                Issue.record("invalid/clock/\(file.name) was accepted")
            }
        }
    }

    @Test func roundTripsNamesNeedingEscapesAndNoWriter() throws {
        let record = ClockChangelogRecord(
            externalID: "user_1",
            clocks: F.clocks([
                (.attribute("quote\"back\\slash"), F.clock(1, .string("x"))),
                (.attribute("line\nfeed\u{1}tab\t"), F.clock(2, .null)),
                (.attribute("caf\u{E9} \u{1F600}"), F.clock(3, .bool(false))),
                (.attribute(""), F.clock(4, .number(2))),
            ]))
        let json = record.jsonBytes()
        #expect(!String(decoding: json, as: UTF8.self).contains("writer"))
        #expect(try ClockChangelogRecord.decode(json).get() == record)
        // And an independent parser reads the same names.
        let parsed = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
        let attributes = (parsed?["fields"] as? [String: Any])?["custom_attributes"] as? [String: Any]
        #expect(Set(attributes?.keys.map { $0 } ?? []) == ["quote\"back\\slash", "line\nfeed\u{1}tab\t", "caf\u{E9} \u{1F600}", ""])
    }

    @Test func escapedKeysAndNamesAreRead() throws {
        let text = #"{"external_\u0069d":"c-1","fields":{"custom_attributes":{"a\u00e9\"":{"occurred_at":"2026-11-24T10:15:00Z","digest":"0000000000000001"}}}}"#
        let record = try decoded(text).get()
        #expect(record.clocks.clock(for: .attribute("a\u{E9}\"")) == FieldClock(occurredAt: F.at(Self.base), digest: 1))
    }

    @Test func everyInstantRoundTripsToTheNanosecond() throws {
        let instants: [Int64] = [.min, .min + 1, -1_000_000_001, -1, 0, 1, 999, 1_000, 1_000_000, 123_456_789, .max - 1, .max]
        for nanos in instants {
            let instant = Timestamp(nanosecondsSinceEpoch: nanos)
            let text = instant.rfc3339Nanos
            let parsed = text.utf8.withContiguousStorageIfAvailable { Timestamp.parseRFC3339UTCNanos(utf8: UnsafeRawBufferPointer($0)) }
            #expect(parsed == instant, "\(nanos) -> \(text)")
        }
        #expect(Timestamp(nanosecondsSinceEpoch: .min).rfc3339Nanos == "1677-09-21T00:12:43.145224192Z")
        #expect(Timestamp(nanosecondsSinceEpoch: .max).rfc3339Nanos == "2262-04-11T23:47:16.854775807Z")
        #expect(F.at(Self.base).rfc3339Nanos == F.at(Self.base).rfc3339Millis)
        #expect(F.at(Self.base, nanos: 1_000).rfc3339Nanos == "2026-11-24T10:15:00.000001Z")
    }

    @Test(arguments: [
        ("1677-09-21T00:12:43.145224191Z", "one nanosecond before Int64"),
        ("2262-04-11T23:47:16.854775808Z", "one nanosecond after Int64"),
        ("2026-11-24T10:15:60Z", "leap second"),
        ("2026-11-24T10:15:00.Z", "empty fraction"),
        ("2026-11-24t10:15:00Z", "lowercase t"),
        ("2026-11-24T10:15:00z", "lowercase z"),
        ("2026-11-24T10:15:00.123Z ", "trailing space"),
    ])
    func strictTimestampParserRejects(text: String, why: String) {
        let parsed = Array(text.utf8).withUnsafeBytes { Timestamp.parseRFC3339UTCNanos(utf8: $0) }
        #expect(parsed == nil, "\(why)")
    }

    @Test func errorsSayWhatIsWrong() {
        let clock = #"{"occurred_at":"2026-11-24T10:15:00Z","digest":"0000000000000001"}"#
        #expect(errorMessage(#"{"fields":{}}"#) == "external_id is missing")
        #expect(errorMessage(#"{"external_id":"c-1"}"#) == "fields is missing")
        #expect(errorMessage(#"{"external_id":"c/1","fields":{}}"#) == "external_id does not match ^[a-zA-Z0-9._-]{1,128}$")
        #expect(errorMessage(#"{"external_id":"c-1","external_id":"c-2","fields":{}}"#) == "external_id appears twice")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{},"v":1}"#) == "unknown key 'v' in the record")
        #expect(errorMessage(#"{"external_id":"c-1","fields":[]}"#) == "fields must be an object, not an array")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{"mobile":\#(clock)}}"#) == "unknown field 'mobile' in fields")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{"email":\#(clock),"email":\#(clock)}}"#) == "fields.email appears twice")
        #expect(
            errorMessage(#"{"external_id":"c-1","fields":{"custom_attributes":{"p":\#(clock),"p":\#(clock)}}}"#)
                == "fields.custom_attributes.p appears twice")
        #expect(
            errorMessage(#"{"external_id":"c-1","fields":{"email":{"occurred_at":"2026-11-24T10:15:00Z","digest":"00"}}}"#)
                == "fields.email.digest is not 16 lowercase hex digits")
        #expect(
            errorMessage(#"{"external_id":"c-1","fields":{"name":{"occurred_at":"2026-11-24","digest":"0000000000000001"}}}"#)?
                .hasPrefix("fields.name.occurred_at is not RFC 3339 in UTC") == true)
        #expect(
            errorMessage(#"{"external_id":"c-1","fields":{"name":{"occurred_at":"2026-11-24T10:15:00Z"}}}"#)
                == "fields.name.digest is missing")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{"phone":{"digest":1}}}"#) == "fields.phone.digest must be a string, not a number")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{}} x"#) == "unexpected bytes after the record at byte 34")
        #expect(errorMessage(#"{"external_id":"c-1","fields":{}"#) == "malformed JSON at byte 32: expected ',' or '}' in the record")
        #expect(errorMessage(#"{"external_id" "c-1"}"#) == "malformed JSON at byte 15: expected ':' after an object key")
        #expect(errorMessage("") == "the record must be an object, not nothing")
        #expect(ClockChangelogRecord.decode([0x7B, 0xFF]).failure?.message == "not UTF-8 (invalid byte at offset 1)")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
