import BookbagSim
import ContactSync
import Testing
import Workload

/// Contacts of a batch that are still in flight in the batch before are
/// carried into the next batch and fold on with its events, and the result is
/// still exact. Against Tansu and a bookbag-sim slow enough that batches overlap.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct CarriedContactsTests {
    @Test func aContactInFlightFoldsOnIntoTheNextBatchAndTheResultIsExact() async throws {
        let spec = WorkloadSpec(events: 2_000, customers: 2, badRecordShare: 0, seed: 41, idPrefix: "cc\(UInt16.random(in: 0...9999))-")
        // Batches of 100 records, each holding both customers; a request takes 200 ms, so
        // the next batches are ready while one is in flight.
        try await BacklogRun.run("carried", spec, faults: SimFaults(latencyMilliseconds: 200)) { configuration in
            configuration.batching.minEvents = 100
            configuration.batching.maxEvents = 100
        } check: { run in
            let stats = run.sim.state.stats()
            let largest = run.results.map(\.eventIDs.count).max() ?? 0
            print("carried test: \(stats.usersReceived) users in \(stats.upsertRequests) upserts for \(run.traffic.records.count) events; largest result \(largest) events")
            // One batch holds 100 records: a result of more folds events of two batches.
            #expect(largest > 100, "a contact in flight was carried into the next batch and folded on")
            #expect((sampleValue(run.metrics, "contact_sync_contacts_carried_total") ?? 0) > 0, "the carry is counted")
            #expect((sampleValue(run.metrics, "contact_sync_contacts_held_total") ?? 0) == 0, "a fixed batch size holds no new contact back")
            // The batch size is what the consumer delivered, carried records aside.
            let batches = histogram(run.metrics, "contact_sync_batch_records")
            #expect((batches["+Inf"] ?? 0) > 0 && (batches["+Inf"] ?? 0) == (batches["100.0"] ?? 0), "no batch over 100 records: \(batches)")
            // No memory target here: resident memory is still sampled for its gauge, never "over".
            #expect((sampleValue(run.metrics, "contact_sync_resident_memory_bytes") ?? 0) > Double(1 << 20))
            #expect(sampleValue(run.metrics, "contact_sync_memory_over_target") == 0)
            run.expectExact()
        }
    }
}
