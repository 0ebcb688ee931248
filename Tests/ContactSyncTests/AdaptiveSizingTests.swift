import BookbagSim
import ContactSync
import Foundation
import Testing
import Workload

/// Fast by default: with the default settings, a backlog makes batches grow
/// (more events fold per contact), and a rate-limited Bookbag gets fewer,
/// larger requests. Both against Tansu and bookbag-sim.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct AdaptiveSizingTests {
    @Test func aBacklogGrowsBatchesBeyondTheMinimumAndTheResultIsExact() async throws {
        let topics = TestTopics("backlog")
        try await topics.create(partitions: 3)
        try await withBookbagSim { sim in
            let traffic = try await ProducedTraffic.produce(
                WorkloadSpec(events: 20_000, customers: 2_000, badRecordShare: 0, seed: 17, idPrefix: "bl\(UInt16.random(in: 0...9999))-"),
                into: topics)
            // Defaults: BATCH_MIN_EVENTS 500, BATCH_MAX_EVENTS 10000.
            let service = try RunningService(topics: topics, sim: sim)
            let results = try await readUntilAccounted(topics.results, records: traffic.records.count)
            let metrics = service.registry.emitToString()
            try await service.stop()

            let batches = histogram(metrics, "contact_sync_batch_records")
            let overMinimum = (batches["+Inf"] ?? 0) - (batches["500.0"] ?? 0)
            let stats = sim.state.stats()
            print("backlog test: \(batches["+Inf"] ?? 0) batches, \(overMinimum) over 500 records; \(stats.usersReceived) users sent for \(traffic.records.count) events")
            #expect(overMinimum > 0, "a backlog of 20,000 records makes batches larger than the minimum: \(batches)")
            #expect((batches["+Inf"] ?? 0) - (batches["10000.0"] ?? 0) == 0, "no batch exceeds BATCH_MAX_EVENTS")
            #expect(traffic.goodEventIDs.subtracting(results.flatMap(\.eventIDs)).isEmpty, "every event has a result")
            #expect(results.filter { $0.status == "failed" }.isEmpty)
            let problems = mismatches(traffic.expected.contacts, in: sim.state)
            #expect(problems.isEmpty, "\(problems.count) contacts differ, e.g. \(problems.prefix(3))")
        }
    }

    @Test func aRateLimitedBookbagGetsLargerRequestsAndNoEarlyOnes() async throws {
        let topics = TestTopics("reqsize")
        try await topics.create(partitions: 3)
        try await withBookbagSim(faults: SimFaults(rateLimitPerSecond: 5, retryAfterSeconds: 1)) { sim in
            let traffic = try await ProducedTraffic.produce(
                WorkloadSpec(
                    events: 6_000, customers: 6_000, loginShare: 1, badRecordShare: 0, zipfExponent: 0, seed: 37,
                    idPrefix: "rs\(UInt16.random(in: 0...9999))-"),
                into: topics)
            // Defaults: UPSERT_MIN_USERS 100, UPSERT_MAX_USERS 1000.
            let service = try RunningService(topics: topics, sim: sim)
            let results = try await readUntilAccounted(topics.results, records: traffic.records.count)
            let metrics = service.registry.emitToString()
            try await service.stop()

            let stats = sim.state.stats()
            let target = sampleValue(metrics, "contact_sync_bookbag_request_size_target_users")
            print("request size test: \(stats.upsertRequests) upserts, \(stats.rateLimited) answered 429, largest \(stats.maxUsersPerRequest) users, target now \(target ?? -1)")
            #expect(stats.rateLimited > 0, "the limit was reached")
            #expect(stats.maxUsersPerRequest > 100 && stats.maxUsersPerRequest <= 1_000, "429s grew the requests, within Bookbag's limit")
            #expect((target ?? 0) > 100)
            #expect(stats.earlyRequests == 0, "no request before its Retry-After elapsed")
            #expect(results.filter { $0.status == "failed" }.isEmpty)
            #expect(traffic.goodEventIDs.subtracting(results.flatMap(\.eventIDs)).isEmpty)
            #expect(mismatches(traffic.expected.contacts, in: sim.state).isEmpty)
        }
    }
}
