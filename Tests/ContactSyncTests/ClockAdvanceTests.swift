import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// A contact found already stored, but offered with a newer occurred_at,
/// moves its clock forward without a request. The next batch, prepared while
/// that one is still in flight, must decide against the moved clock: before,
/// only contacts being sent held the next batch back, so an older value slipped
/// past the stale clock and overwrote the newer one in Bookbag (seen once in
/// DurableClockTests under load: `vip false, latest true`).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ClockAdvanceTests {
    @Test func aClockMovedForwardWithoutARequestHoldsForTheNextBatch() async throws {
        let topics = TestTopics("clock-advance")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let service = try RunningService(topics: topics, sim: sim) {
                $0.batching.maxEvents = 1
                $0.batching.maxWait = .milliseconds(20)
            }
            try await produce(topics.profile, [(key: "adv-c", value: profileEvent("a1", "adv-c", at: "2026-11-24T10:00:10.000Z", fields: #""custom_attributes": {"vip": true}"#))])
            _ = try await readUntilAccounted(topics.results, records: 1)
            #expect(sim.state.contact("adv-c")?.customAttributes["vip"] == .bool(true))

            // One batch per record: another contact's slow request, then the same value
            // newer (no request, the clock moves to 10:00:25), then an older, different value.
            sim.state.setFaults(SimFaults(latencyMilliseconds: 1_500))
            try await produce(topics.profile, [
                (key: "adv-d", value: profileEvent("a2", "adv-d", at: "2026-11-24T10:00:11.000Z", fields: #""name": "D""#)),
                (key: "adv-c", value: profileEvent("a3", "adv-c", at: "2026-11-24T10:00:25.000Z", fields: #""custom_attributes": {"vip": true}"#)),
                (key: "adv-c", value: profileEvent("a4", "adv-c", at: "2026-11-24T10:00:20.000Z", fields: #""custom_attributes": {"vip": false}"#)),
            ])
            let results = try await readUntilAccounted(topics.results, records: 4)
            try await service.stop()
            let late = results.first { $0.eventIDs.contains("a4") }
            #expect(late?.status == "unchanged" && late?.reason == "older_than_stored", "the 10:00:20 value is older than the moved clock: \(late?.raw ?? "no result")")
            #expect(sim.state.contact("adv-c")?.customAttributes["vip"] == .bool(true), "Bookbag keeps the value of 10:00:25")
        }
    }
}
