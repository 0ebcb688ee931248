import Testing
import Workload

@testable import ContactSyncCore

/// `store-traffic watch` decides when a benchmark is done and how fast it went
/// from this tally, so it must count what the service writes, exactly.
@Suite("The watcher's result tally")
struct ResultWatchTallyTests {
    private static let decidedAt = Timestamp(nanosecondsSinceEpoch: 1_764_000_000_000_000_000)

    private func result(
        _ externalID: String?, _ status: SyncStatus, sources: [RecordSource], error: SyncError? = nil
    ) -> [UInt8] {
        ResultRecord(
            externalID: externalID, status: status, chatbotID: "123", eventIDs: sources.map { "evt-\($0.offset)" },
            sources: sources, attempts: status == .unchanged ? 0 : 1, httpStatus: status == .synced ? 200 : nil,
            error: error, ignoredAttributes: ["legacy"], decidedAt: Self.decidedAt
        ).jsonBytes()
    }

    private func add(_ bytes: [UInt8], to tally: inout ResultWatchTally) -> Bool {
        bytes.withUnsafeBytes { tally.add($0) }
    }

    @Test func countsDistinctSourcesStatusesAndSyncedContactsFromTheServicesRecords() {
        var tally = ResultWatchTally(expectedEvents: 8)
        let login = "store.customer.login"
        let profile = "store.customer.profile-changed"
        #expect(add(result("u1", .synced, sources: [.init(topic: login, partition: 0, offset: 1),
                                                    .init(topic: profile, partition: 0, offset: 1)]), to: &tally))
        // The same partition and offset on another topic is another record.
        #expect(add(result("u2", .synced, sources: [.init(topic: login, partition: 1, offset: 1)]), to: &tally))
        // A contact synced again, and a record named twice (a retried result), count once.
        #expect(add(result("u1", .synced, sources: [.init(topic: login, partition: 0, offset: 1),
                                                    .init(topic: login, partition: 0, offset: 9_000_000_000)]), to: &tally))
        #expect(add(result(nil, .rejected, sources: [.init(topic: profile, partition: 2, offset: 5)],
                           error: SyncError(code: "bad_record", message: "value is not \"JSON\"")), to: &tally))
        #expect(add(result("u3", .unchanged, sources: [.init(topic: profile, partition: 2, offset: 6)]), to: &tally))

        #expect(tally.accountedEvents == 6)
        #expect(tally.resultCount == 5)
        #expect(tally.statusCounts == ["synced": 3, "rejected": 1, "unchanged": 1])
        #expect(tally.syncedContacts == ["u1", "u2"])
    }

    @Test func anythingButAnObjectIsNotCountedAndOddSourcesAreLeftOut() {
        var tally = ResultWatchTally()
        for text in ["", "[]", "\"synced\"", "{\"status\":\"synced\"", "{\"status\":}"] {
            #expect(!add(Array(text.utf8), to: &tally), "\(text)")
        }
        #expect(tally.resultCount == 0)

        let odd = #"{"status":"failed","external_id":"u9","extra":{"a":[1,{"b":null}]},"sources":["#
            + #"{"topic":"t","partition":0,"offset":3},{"topic":"t","partition":"0","offset":4},"#
            + #"{"topic":"t","partition":0.5,"offset":5},{"topic":"t","offset":6},7,"#
            + #"{"topic":"t","partition":1,"offset":8,"note":[true]}]}"#
        #expect(add(Array(odd.utf8), to: &tally))
        #expect(tally.accountedEvents == 2)
        #expect(tally.statusCounts == ["failed": 1])
        #expect(tally.syncedContacts.isEmpty)
    }
}
