import BookbagSim
import ContactSync
import Testing
import Workload

/// One run of the service over a backlog: the traffic produced before it
/// started, the results it published, its metrics at the end, and the
/// bookbag-sim it synced into (still running while `check` looks).
struct BacklogRun {
    var traffic: ProducedTraffic
    var results: [ResultView]
    var metrics: String
    var sim: RunningBookbagSim

    /// Produces `spec` into fresh topics of three partitions, then runs the
    /// service (its configuration changed by `tweak`) against a bookbag-sim
    /// with `faults` until every record has a result, and hands the run to `check`.
    static func run(
        _ name: String, _ spec: WorkloadSpec, faults: SimFaults, tweak: (inout ContactSyncConfiguration) -> Void,
        check: (BacklogRun) throws -> Void
    ) async throws {
        let topics = TestTopics(name)
        try await topics.create(partitions: 3)
        try await withBookbagSim(faults: faults) { sim in
            let traffic = try await ProducedTraffic.produce(spec, into: topics)
            let service = try RunningService(topics: topics, sim: sim, tweak: tweak)
            let results = try await readUntilAccounted(topics.results, records: traffic.records.count)
            let metrics = service.registry.emitToString()
            try await service.stop()
            try check(BacklogRun(traffic: traffic, results: results, metrics: metrics, sim: sim))
        }
    }

    /// What a run without bad records must show, whatever its settings: every
    /// event in exactly one result, none failed, and Bookbag holding what the event log says.
    func expectExact(sourceLocation: SourceLocation = #_sourceLocation) {
        let eventIDs = results.flatMap(\.eventIDs)
        #expect(traffic.goodEventIDs.subtracting(eventIDs).isEmpty, "every event has a result", sourceLocation: sourceLocation)
        #expect(eventIDs.count == traffic.records.filter { !$0.isBad }.count, "one result per record", sourceLocation: sourceLocation)
        #expect(results.filter { $0.status == "failed" }.isEmpty, sourceLocation: sourceLocation)
        let problems = mismatches(traffic.expected.contacts, in: sim.state)
        #expect(problems.isEmpty, "\(problems.count) contacts differ, e.g. \(problems.prefix(3))", sourceLocation: sourceLocation)
    }
}
