import ContactSyncCore
import Foundation
import Testing

/// The pure parts of the platform team's commands.
struct ToolLogicTests {
    let now = Timestamp.parseRFC3339("2026-12-01T12:00:00Z")!

    @Test func timeBoundsAreAbsoluteOrSpansBeforeNow() {
        #expect(TimeBound.parse("2026-12-01T10:00:00Z", now: now) == Timestamp.parseRFC3339("2026-12-01T10:00:00Z"))
        #expect(TimeBound.parse("90s", now: now) == Timestamp.parseRFC3339("2026-12-01T11:58:30Z"))
        #expect(TimeBound.parse("15m", now: now) == Timestamp.parseRFC3339("2026-12-01T11:45:00Z"))
        #expect(TimeBound.parse("2h", now: now) == Timestamp.parseRFC3339("2026-12-01T10:00:00Z"))
        #expect(TimeBound.parse("7d", now: now) == Timestamp.parseRFC3339("2026-11-24T12:00:00Z"))
        #expect(TimeBound.parse("now", now: now) == now)
        for bad in ["", "h", "-5m", "5w", "yesterday", "2026-12-01", "99999999999999999d"] {
            #expect(TimeBound.parse(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func aTallyCountsStatusesEventsAndTopCodes() throws {
        var tally = ResultTally()
        tally.add(status: "synced", events: 3, errorCode: nil)
        tally.add(status: "rejected", events: 1, errorCode: "invalid_email")
        tally.add(status: "rejected", events: 1, errorCode: "invalid_email")
        tally.add(status: "failed", events: 2, errorCode: "bookbag_unavailable")
        #expect(tally.resultCount == 4)
        #expect(tally.events == 7)
        #expect(tally.topErrorCodes().map(\.code) == ["invalid_email", "bookbag_unavailable"])
        let line = tally.jsonLine(at: now, intervalSeconds: 2, lag: GroupLag(total: 5, max: 4, maxPartition: "t/1"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["results"] as? [String: Int] == ["synced": 1, "unchanged": 0, "rejected": 2, "failed": 1])
        #expect(json["events_per_second"] as? Double == 3.5)
        #expect((json["lag"] as? [String: Any])?["max_partition"] as? String == "t/1")
        let table = tally.tableLines(at: now, intervalSeconds: 2, lag: nil).joined(separator: "\n")
        #expect(table.contains("rejected    2"))
        #expect(table.contains("group lag   unknown"))
    }

    @Test func groupLagCountsUncommittedPartitionsFromTheirStart() {
        let lag = GroupLag.of([("a/0", 0, 10, 10), ("a/1", 5, 20, 8), ("a/2", 3, 9, nil)])
        #expect(lag == GroupLag(total: 18, max: 12, maxPartition: "a/1"))
    }

    @Test func aFilterTakesCodesTimesAndTopicsAndNamesItself() {
        let since = Timestamp.parseRFC3339("2026-12-01T10:00:00Z")!
        let until = Timestamp.parseRFC3339("2026-12-01T11:00:00Z")!
        let filter = DeadLetterFilter(codes: ["invalid_email"], since: since, until: until, topics: ["t"])
        #expect(filter.matches(code: "invalid_email", decidedAt: Timestamp.parseRFC3339("2026-12-01T10:30:00Z"), topic: "t"))
        #expect(!filter.matches(code: "invalid_phone", decidedAt: Timestamp.parseRFC3339("2026-12-01T10:30:00Z"), topic: "t"))
        #expect(!filter.matches(code: "invalid_email", decidedAt: until, topic: "t"), "until is exclusive")
        #expect(filter.matches(code: "invalid_email", decidedAt: since, topic: "t"), "since is inclusive")
        #expect(!filter.matches(code: "invalid_email", decidedAt: nil, topic: "t"))
        #expect(!filter.matches(code: "invalid_email", decidedAt: since, topic: "other"))
        #expect(DeadLetterFilter().matches(code: "anything", decidedAt: nil, topic: "any"))
        #expect(filter.fingerprint == DeadLetterFilter(codes: ["invalid_email"], since: since, until: until, topics: ["t"]).fingerprint)
        #expect(filter.fingerprint != DeadLetterFilter(codes: ["invalid_phone"], since: since, until: until, topics: ["t"]).fingerprint)
        #expect(filter.fingerprint.count == 12)
    }
}
