import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// An event whose occurred_at lies in the future (a producer's clock ahead)
/// made contact_sync_event_to_result_seconds record a negative duration, and
/// the next /metrics scrape crashed the service inside swift-prometheus
/// ("Negative value is not representable"; seen in scripts/bench-clocks.sh,
/// whose 2,000,000 generated events run 23 days past today).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct FutureEventMetricsTests {
    @Test func aFutureOccurredAtDoesNotBreakTheMetrics() async throws {
        let topics = TestTopics("future-event")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let service = try RunningService(topics: topics, sim: sim)
            try await produce(topics.profile, [(key: "future-1", value: profileEvent("fe1", "future-1", at: "2031-01-01T00:00:00.000Z", fields: #""name": "Soon""#))])
            let results = try await readUntilAccounted(topics.results, records: 1)
            #expect(results.first?.status == "synced")
            var text: [UInt8] = []
            service.registry.emit(into: &text)
            #expect(String(decoding: text, as: UTF8.self).contains("contact_sync_event_to_result_seconds"))
            try await service.stop()
        }
    }
}
