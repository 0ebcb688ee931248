import Testing

@testable import ContactSyncCore

@Suite("Timestamp.parseRFC3339")
struct TimestampParsingTests {
    private func nanos(_ text: String) -> Int64? {
        Timestamp.parseRFC3339(text)?.nanosecondsSinceEpoch
    }

    @Test func parsesUTCWithMilliseconds() {
        #expect(nanos("2026-11-24T10:15:00.123Z") == 1_795_515_300_123_000_000)
        #expect(Timestamp.parseRFC3339("2026-11-24T10:15:00.123Z")?.rfc3339Millis == "2026-11-24T10:15:00.123Z")
    }

    @Test func acceptsLowercaseSeparatorAndZulu() {
        #expect(nanos("2026-11-24t10:15:00.123z") == 1_795_515_300_123_000_000)
    }

    @Test func convertsOffsetsToUTC() {
        let utc = nanos("2026-11-24T10:15:00Z")
        #expect(utc == 1_795_515_300_000_000_000)
        #expect(nanos("2026-11-24T15:45:00+05:30") == utc)
        #expect(nanos("2026-11-24T04:45:00-05:30") == utc)
        #expect(nanos("2026-11-24T10:15:00+00:00") == utc)
        #expect(nanos("2026-11-24T10:15:00-00:00") == utc)
        // An offset can move the instant across a day and a year.
        #expect(Timestamp.parseRFC3339("2027-01-01T01:00:00+02:00")?.rfc3339Millis == "2026-12-31T23:00:00.000Z")
    }

    @Test func keepsFractionsToTheNanosecond() {
        let whole: Int64 = 1_795_515_300_000_000_000
        #expect(nanos("2026-11-24T10:15:00.5Z") == whole + 500_000_000)
        #expect(nanos("2026-11-24T10:15:00.000001Z") == whole + 1_000)
        #expect(nanos("2026-11-24T10:15:00.123456789Z") == whole + 123_456_789)
        // Digits beyond the nanosecond are dropped, not rounded.
        #expect(nanos("2026-11-24T10:15:00.1234567899999Z") == whole + 123_456_789)
        #expect(nanos("2026-11-24T10:15:00.5+02:00") == whole - 7_200_000_000_000 + 500_000_000)
    }

    @Test func checksLeapYears() {
        #expect(nanos("2000-02-29T00:00:00Z") == 951_782_400_000_000_000)
        #expect(nanos("2024-02-29T12:00:00Z") != nil)
        #expect(nanos("2023-02-29T12:00:00Z") == nil)
        #expect(nanos("1900-02-29T12:00:00Z") == nil)
        #expect(nanos("2100-02-29T12:00:00Z") == nil)
        #expect(nanos("2023-02-28T12:00:00Z") != nil)
    }

    @Test(arguments: [
        "2026-11-24",  // date only
        "2026-11-24T10:15:00",  // no offset
        "2026-11-24T10:15:00.123",  // no offset
        "2026-11-24 10:15:00Z",  // space separator
        "2026-11-24T25:15:00Z", "2026-11-24T24:00:00Z",  // hour
        "2026-11-24T10:60:00Z",  // minute
        "2026-11-24T10:15:61Z",  // second
        "2026-13-24T10:15:00Z", "2026-00-24T10:15:00Z",  // month
        "2026-11-00T10:15:00Z", "2026-11-31T10:15:00Z", "2026-04-31T10:15:00Z", "2026-02-30T10:15:00Z",  // day
        "2026-11-24T10:15:00+24:00", "2026-11-24T10:15:00+05:60",  // offset ranges
        "2026-11-24T10:15:00+0530", "2026-11-24T10:15:00+05", "2026-11-24T10:15:00UTC",  // offset shape
        "2026-11-24T10:15:00.Z",  // empty fraction
        "2026-11-24T10:15:00,5Z",  // comma fraction
        "2026-11-24T10:15:00Zjunk", "2026-11-24T10:15:00Z ",  // trailing bytes
        " 2026-11-24T10:15:00Z",  // leading space
        "20261-11-24T10:15:00Z", "226-11-24T10:15:00Z",  // year width
        "2026-1-24T10:15:00Z", "2026-11-24T1:15:00Z",  // field width
        "２026-11-24T10:15:00Z",  // non-ASCII digit
        "2026-11-24T10:15:00.12a3Z",
        "",
    ])
    func rejectsMalformedOrImpossible(_ text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil)
    }

    @Test func acceptsOnlyYears1678Through2261InUTC() {
        // Narrower than Int64 nanoseconds allows, so that every accepted instant
        // also survives formatting to milliseconds and parsing back.
        #expect(nanos("1677-09-21T00:12:43.145224192Z") == nil)
        #expect(nanos("1677-12-31T23:59:59.999Z") == nil)
        #expect(nanos("1678-01-01T00:00:00Z") != nil)
        #expect(nanos("1678-01-01T00:30:00+01:00") == nil, "1677 in UTC")
        #expect(nanos("2261-12-31T23:59:59.999999999Z") != nil)
        #expect(nanos("2262-01-01T00:00:00Z") == nil)
        #expect(nanos("2262-04-11T23:47:16.854775807Z") == nil)
        if let earliest = Timestamp.parseRFC3339("1678-01-01T00:00:00.0001Z") {
            #expect(Timestamp.parseRFC3339(earliest.rfc3339Millis) != nil)
        }
        #expect(nanos("9999-12-31T23:59:59Z") == nil)
        #expect(nanos("0000-01-01T00:00:00Z") == nil)
        #expect(nanos("1600-01-01T00:00:00Z") == nil)
    }

    @Test func handlesInstantsBeforeTheEpoch() {
        #expect(nanos("1969-12-31T23:59:59.5Z") == -500_000_000)
        #expect(nanos("1970-01-01T00:00:00Z") == 0)
        #expect(nanos("1970-01-01T01:00:00+01:00") == 0)
    }

    @Test func countsALeapSecondAsTheNextSecond() {
        #expect(nanos("2026-11-24T23:59:60Z") == 1_795_564_800_000_000_000)
    }

    @Test func byteVariantsAgreeWithTheStringVariant() {
        let text = "2026-11-24T15:45:00.987654321+05:30"
        let expected = Timestamp.parseRFC3339(text)
        #expect(expected != nil)
        #expect(Timestamp.parseRFC3339(utf8: Array(text.utf8)) == expected)
        let fromBuffer = Array(text.utf8).withUnsafeBytes { Timestamp.parseRFC3339(utf8: $0) }
        #expect(fromBuffer == expected)
    }

    /// The date-time grammar alone reaches years the instant cannot hold (the simulator's `date` check).
    @Test(arguments: [
        ("2026-11-24T10:15:00.123Z", true), ("2026-11-24T12:15:00+02:00", true), ("0001-01-01T00:00:00Z", true),
        ("9999-12-31T23:59:60z", true), ("2024-02-29T00:00:00Z", true), ("2025-02-29T00:00:00Z", false),
        ("2026-11-24", false), ("2026-11-24T10:15:00", false), ("2026-13-01T00:00:00Z", false),
        ("2026-11-24T24:00:00Z", false), ("2026-11-24T10:15:00.Z", false), ("2026-11-24 10:15:00Z", false),
    ])
    func dateTimeFieldsCoverEveryYear(text: String, valid: Bool) {
        #expect((RFC3339DateTime(text) != nil) == valid)
    }
}
