import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Logging
import Testing

/// Per-contact order while batches overlap: the next batch is sent while the
/// previous one's requests are still out, except for contacts in flight.
@Suite(.serialized) struct OrderingTests {
    @Test func aContactsUpdatesLandInOrderAcrossOverlappingBatches() async throws {
        let topics = TestTopics("order")
        try await topics.create(partitions: 1)
        var slow = SimFaults.none
        slow.latencyMilliseconds = 150  // long enough that the next batch is ready while one is out
        var logger = Logger(label: "sim")
        logger.logLevel = .critical
        try await withBookbagSim(startedBy: { try await BookbagSimServer.start(
            configuration: BookbagSimConfiguration(
                apiKey: testKey, seededAttributes: [SimAttributeDefinition(name: "last_login_at", type: .date)], faults: slow),
            logger: logger) }) { sim in

            // 30 contacts log in 40 times each, in time order, interleaved; small batches,
            // so each contact appears in most batches and other contacts keep batches busy.
            let contacts = (0..<30).map { "ord-\($0)" }
            var events: [(key: String?, value: String)] = []
            for round in 0..<40 {
                for (index, contact) in contacts.enumerated() {
                    let seconds = round * 60 + index
                    let time = String(format: "2026-11-24T10:%02d:%02dZ", seconds / 60, seconds % 60)
                    events.append((contact, loginEvent("ord-\(round)-\(index)", contact, at: time)))
                }
            }
            // Plus contacts seen once, so a batch has free contacts to send while others wait.
            for extra in 0..<600 {
                events.append(("ord-x\(extra)", loginEvent("ord-x\(extra)", "ord-x\(extra)", at: "2026-11-24T09:00:00Z")))
            }
            try await produce(topics.login, events)

            let service = try RunningService(topics: topics, sim: sim) {
                $0.batching.maxEvents = 100
                $0.batching.upsertMaxUsers = 20
                $0.bookbag.maxInFlight = 4
            }
            let results = try await readUntilAccounted(topics.results, records: events.count, timeout: .seconds(120))
            try await service.stop()
            #expect(results.filter { $0.status == "failed" }.isEmpty)

            var upsertsPerContact: [Int] = []
            for contact in contacts {
                // In the order Bookbag received them, each stored update is newer than the one before.
                let stored = sim.state.upsertLog(for: contact).filter(\.stored).sorted { $0.request < $1.request }
                let logins = stored.compactMap { loginTime(in: $0.entryJSON) }
                #expect(logins == logins.sorted(), "\(contact): an older update landed after a newer one: \(logins)")
                #expect(sim.state.contact(contact)?.customAttributes["last_login_at"] == .string(logins.last ?? ""))
                #expect(logins.last?.hasPrefix("2026-11-24T10:39:") == true, "\(contact) ends with its last login")
                upsertsPerContact.append(stored.count)
            }
            let maxInFlight = sim.state.stats().maxInFlight
            print("ordering test: \(events.count) events; upserts per repeated contact \(upsertsPerContact.min() ?? 0)...\(upsertsPerContact.max() ?? 0); max in flight \(maxInFlight)")
            #expect((upsertsPerContact.min() ?? 0) > 1, "the contacts were updated in several batches")
            #expect(maxInFlight > 1, "requests overlapped")
        }
    }

    private func loginTime(in entryJSON: String) -> String? {
        guard let range = entryJSON.range(of: #""last_login_at":""#) else { return nil }
        let rest = entryJSON[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
