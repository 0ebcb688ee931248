import Testing

@testable import ContactSyncCore

@Suite("Classifying Bookbag's upsert responses")
struct ResponseClassifierTests {
    /// 2026-11-24T10:15:00Z, a Tuesday.
    static let now = Timestamp(
        nanosecondsSinceEpoch: (Timestamp.daysSinceEpoch(year: 2026, month: 11, day: 24) * 86_400 + 36_900)
            * 1_000_000_000)

    private func classify(_ status: Int, _ body: String = "", retryAfter: String? = nil) -> UpsertOutcome {
        ResponseClassifier.classify(status: status, retryAfter: retryAfter, body: Array(body.utf8), now: Self.now)
    }

    @Test func successWithoutEntryErrors() {
        #expect(classify(200, #"{"message":"Contacts processed","data":{"created":2}}"#) == .accepted(entryErrors: [:]))
        #expect(classify(200) == .accepted(entryErrors: [:]))
        #expect(classify(204, "not json") == .accepted(entryErrors: [:]))
    }

    @Test func successListingEntryErrors() {
        let body = #"""
            {"message":"ok","errors":[
              {"external_id":"u1","message":"Invalid email"},
              {"external_id":"u2"},
              {"message":"no id, cannot be matched"},
              "junk"
            ]}
            """#
        #expect(
            classify(200, body) == .accepted(entryErrors: ["u1": "Invalid email", "u2": "entry refused by Bookbag"]))
        #expect(
            classify(200, #"{"data":{"errors":[{"external_id":"u9","message":"bad phone"}]}}"#)
                == .accepted(entryErrors: ["u9": "bad phone"]))
    }

    @Test func badRequestsAreRefusedWhole() {
        #expect(classify(400, #"{"message":"Invalid request data"}"#) == .refused(status: 400, message: "Invalid request data"))
        #expect(
            classify(400, #"{"message":"Maximum 1000 contacts per request"}"#)
                == .refused(status: 400, message: "Maximum 1000 contacts per request"))
        #expect(classify(422, #"{"message":"Invalid email format"}"#) == .refused(status: 422, message: "Invalid email format"))
        #expect(classify(409, #"{"message":"Conflict"}"#) == .refused(status: 409, message: "Conflict"))
        #expect(classify(400, "<html>Bad Request</html>") == .refused(status: 400, message: "request refused"))
    }

    @Test func undefinedAttributeIsItsOwnOutcome() {
        #expect(
            classify(422, #"{"message":"Custom attribute 'plan' is not defined"}"#)
                == .undefinedAttribute(status: 422, message: "Custom attribute 'plan' is not defined"))
        #expect(
            classify(400, #"{"message":"Unknown custom attribute: tier"}"#)
                == .undefinedAttribute(status: 400, message: "Unknown custom attribute: tier"))
        // Same wording on a status that is not 400/422 stays a plain refusal.
        #expect(
            classify(409, #"{"message":"Unknown attribute"}"#) == .refused(status: 409, message: "Unknown attribute"))
        // An attribute problem that is not about definition is a refusal.
        #expect(
            classify(422, #"{"message":"Attribute 'age' must be a number"}"#)
                == .refused(status: 422, message: "Attribute 'age' must be a number"))
    }

    @Test func configurationErrors() {
        #expect(classify(401) == .configuration(status: 401, message: "the API key is missing or invalid"))
        #expect(classify(403, #"{"message":"Forbidden"}"#) == .configuration(status: 403, message: "Forbidden"))
        #expect(
            classify(404, #"{"message":"Resource not found"}"#)
                == .configuration(status: 404, message: "Resource not found"))
        if case .configuration(301, _) = classify(301) {} else { Issue.record("a redirect is a configuration error") }
    }

    @Test func rateLimitedWithSecondsOrDate() {
        #expect(classify(429, retryAfter: "45") == .rateLimited(retryAfter: .seconds(45)))
        #expect(classify(429, retryAfter: "Tue, 24 Nov 2026 10:15:50 GMT") == .rateLimited(retryAfter: .seconds(50)))
        #expect(classify(429) == .rateLimited(retryAfter: nil))
        #expect(classify(429, retryAfter: "soon") == .rateLimited(retryAfter: nil))
        #expect(classify(429).httpStatus == 429)
    }

    @Test func transientErrors() {
        #expect(classify(500, #"{"message":"Internal error"}"#) == .transient(status: 500, message: "Internal error"))
        #expect(classify(503, "<html>unavailable</html>") == .transient(status: 503, message: "server error"))
        #expect(classify(502, "\u{FF}\u{FE} not utf8 or json") == .transient(status: 502, message: "server error"))
        #expect(classify(408) == .transient(status: 408, message: "request timeout"))
        #expect(classify(101).httpStatus == 101)
        if case .transient = classify(101) {} else { Issue.record("unexpected status should be retried") }
    }

    @Test func messageIsCappedCleanedAndRedacted() throws {
        let long = String(repeating: "é", count: 500)
        let capped = try #require(ResponseClassifier.message(fromBody: Array(#"{"message":"\#(long)"}"#.utf8)))
        #expect(capped.count == 200)
        #expect(capped.hasSuffix("…"))

        let dirty = #"{"message":"  line one\nline\u0000two\t\u001b[31mred  "}"#
        #expect(ResponseClassifier.message(fromBody: Array(dirty.utf8)) == "line one line two [31mred")

        let leaky = #"{"message":"bad header Authorization: Bearer oc_live_123 (key=oc_live_123) doc_id ok"}"#
        let cleaned = try #require(ResponseClassifier.message(fromBody: Array(leaky.utf8)))
        #expect(!cleaned.contains("oc_live"))
        #expect(cleaned == "bad header Authorization: Bearer [redacted] [redacted] doc_id ok")

        #expect(ResponseClassifier.message(fromBody: Array(#"{"error":"Unauthorized"}"#.utf8)) == "Unauthorized")
        #expect(ResponseClassifier.message(fromBody: Array(#"["message"]"#.utf8)) == nil)
        #expect(ResponseClassifier.message(fromBody: Array(#"{"message":" \n "}"#.utf8)) == nil)
        #expect(ResponseClassifier.message(fromBody: Array("plain text".utf8)) == nil)
        #expect(ResponseClassifier.message(fromBody: []) == nil)
    }

    @Test func retryAfterDeltaSeconds() {
        #expect(RetryAfter.parse("0", now: Self.now) == .zero)
        #expect(RetryAfter.parse(" 7 ", now: Self.now) == .seconds(7))
        #expect(RetryAfter.parse("99999999999999999999999", now: Self.now) == RetryAfter.defaultMaximum)
        #expect(RetryAfter.parse("-5", now: Self.now) == nil)
        #expect(RetryAfter.parse("1.5", now: Self.now) == nil)
        #expect(RetryAfter.parse("", now: Self.now) == nil)
        #expect(RetryAfter.parse("+5", now: Self.now) == nil)
    }

    @Test func retryAfterHTTPDates() {
        // Same instant, 10:16:00 GMT on Tuesday 24 November 2026, in the three forms.
        #expect(RetryAfter.parse("Tue, 24 Nov 2026 10:16:00 GMT", now: Self.now) == .seconds(60))
        #expect(RetryAfter.parse("Tuesday, 24-Nov-26 10:16:00 GMT", now: Self.now) == .seconds(60))
        #expect(RetryAfter.parse("Tue Nov 24 10:16:00 2026", now: Self.now) == .seconds(60))
        #expect(RetryAfter.parse("Wed Dec  2 10:15:00 2026", now: Self.now, maximum: .seconds(30 * 86_400)) == .seconds(8 * 86_400))
        // In the past: no wait, never negative.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.now) == .zero)
        // RFC 850 two-digit years more than 50 years ahead are in the past century.
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: Self.now) == .zero)
        // Fractional `now` still gives an exact wait.
        let later = Timestamp(nanosecondsSinceEpoch: Self.now.nanosecondsSinceEpoch + 250_000_000)
        #expect(RetryAfter.parse("Tue, 24 Nov 2026 10:16:00 GMT", now: later) == .milliseconds(59_750))
    }

    @Test(arguments: [
        "Tue, 31 Nov 2026 10:16:00 GMT", "Tue, 24 Nov 2026 24:00:00 GMT", "Tue, 24 Foo 2026 10:16:00 GMT",
        "Tue, 24 Nov 2026 10:16:00 PST", "Tue, 4 Nov 2026 10:16:00 GMT", "Tue 24 Nov 2026 10:16:00 GMT",
        "2026-11-24T10:16:00Z", "Tuesday, 24-Nov-2026 10:16:00 GMT", "Tue Nov 24 10:16 2026",
        "Tue, 29 Feb 2027 10:16:00 GMT",
    ])
    func retryAfterRejectsMalformedDates(value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil)
    }

    @Test func leapDayIsAccepted() {
        #expect(RetryAfter.parse("Tue, 29 Feb 2028 10:15:00 GMT", now: Self.now) != nil)
    }
}
