import BookbagSim
import ContactSync
import Foundation
import Prometheus
import Testing

/// Contracts section 1: the service needs records keyed by `external_id` (one
/// customer's events in one partition) and says so when input is keyed
/// otherwise, without depending on it: such records are still synced.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct InputKeyingTests {
    @Test func recordsNotKeyedByTheirExternalIDAreCountedAndStillSynced() async throws {
        let topics = TestTopics("keying")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let at = "2026-11-24T10:00:00.000Z"
            try await produce(topics.login, [
                (key: "keyed-right", value: loginEvent("ik-1", "keyed-right", at: at)),
                (key: "some-other-key", value: loginEvent("ik-2", "keyed-wrong", at: at)),
                (key: nil, value: loginEvent("ik-3", "not-keyed", at: at)),
            ])

            let service = try RunningService(topics: topics, sim: sim)
            let results = try await readUntilAccounted(topics.results, records: 3)
            #expect(Set(results.filter { $0.status == "synced" }.compactMap(\.externalID)) == ["keyed-right", "keyed-wrong", "not-keyed"])
            let text = service.registry.emitToString()
            try await service.stop()

            let line = text.split(separator: "\n").first {
                $0.hasPrefix("contact_sync_records_not_keyed_by_external_id_total") && $0.contains(topics.login)
            }
            #expect(line?.hasSuffix(" 2") == true, "two of three records are keyed otherwise: \(line.map(String.init) ?? "no series")")
        }
    }
}
