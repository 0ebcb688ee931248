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
        let topics = TestTopics("carried")
        try await topics.create(partitions: 3)
        try await withBookbagSim(faults: SimFaults(latencyMilliseconds: 200)) { sim in
            let traffic = try await ProducedTraffic.produce(
                WorkloadSpec(events: 2_000, customers: 2, badRecordShare: 0, seed: 41, idPrefix: "cc\(UInt16.random(in: 0...9999))-"),
                into: topics)
            // Batches of 100 records, each holding both customers; a request takes 200 ms, so
            // the next batches are ready while one is in flight.
            let service = try RunningService(topics: topics, sim: sim) { configuration in
                configuration.batching.minEvents = 100
                configuration.batching.maxEvents = 100
            }
            let results = try await readUntilAccounted(topics.results, records: traffic.records.count)
            let metrics = service.registry.emitToString()
            try await service.stop()

            let stats = sim.state.stats()
            let largest = results.map(\.eventIDs.count).max() ?? 0
            print("carried test: \(stats.usersReceived) users in \(stats.upsertRequests) upserts for \(traffic.records.count) events; largest result \(largest) events")
            // One batch holds 100 records: a result of more folds events of two batches.
            #expect(largest > 100, "a contact in flight was carried into the next batch and folded on")
            #expect((sampleValue(metrics, "contact_sync_contacts_carried_total") ?? 0) > 0, "the carry is counted")
            // The batch size is what the consumer delivered, carried records aside.
            let batches = histogram(metrics, "contact_sync_batch_records")
            #expect((batches["+Inf"] ?? 0) > 0 && (batches["+Inf"] ?? 0) == (batches["100.0"] ?? 0), "no batch over 100 records: \(batches)")
            #expect(traffic.goodEventIDs.subtracting(results.flatMap(\.eventIDs)).isEmpty, "every event has a result")
            #expect(results.flatMap(\.eventIDs).count == traffic.records.filter { !$0.isBad }.count, "one result per record")
            #expect(results.filter { $0.status == "failed" }.isEmpty)
            let problems = mismatches(traffic.expected.contacts, in: sim.state)
            #expect(problems.isEmpty, "\(problems.count) contacts differ, e.g. \(problems.prefix(3))")
        }
    }
}
