import BookbagSim
import ContactSync
import Testing
import Workload

/// `MEMORY_TARGET_MB` against Tansu and bookbag-sim: a target the process is
/// always over keeps batches at the minimum and holds fetching between
/// acknowledgements, and never stalls the service: every event still gets its
/// one result.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct MemoryTargetTests {
    @Test func aTargetAlwaysExceededKeepsBatchesSmallAndLosesNothing() async throws {
        let spec = WorkloadSpec(events: 3_000, customers: 300, badRecordShare: 0, seed: 43, idPrefix: "mt\(UInt16.random(in: 0...9999))-")
        // A backlog of 3,000 records grows batches of 100 towards 2,000 (AdaptiveSizingTests);
        // resident memory is far over 1 MB, so here they must stay at 100.
        try await BacklogRun.run("memtarget", spec, faults: SimFaults(latencyMilliseconds: 20)) { configuration in
            configuration.batching.minEvents = 100
            configuration.batching.maxEvents = 2_000
            configuration.batching.memoryTargetBytes = 1 << 20
        } check: { run in
            let batches = histogram(run.metrics, "contact_sync_batch_records")
            print("memory target test: batches \(batches), resident \(sampleValue(run.metrics, "contact_sync_resident_memory_bytes") ?? -1)")
            #expect((batches["+Inf"] ?? 0) > 0 && (batches["+Inf"] ?? 0) == (batches["100.0"] ?? 0), "no batch over 100 records: \(batches)")
            #expect(sampleValue(run.metrics, "contact_sync_memory_over_target") == 1)
            #expect((sampleValue(run.metrics, "contact_sync_resident_memory_bytes") ?? 0) > Double(1 << 20))
            run.expectExact()
        }
    }
}
