import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// A replica killed after Bookbag stored its upsert but before the clocks of
/// that upsert were written: Bookbag holds a value the durable clocks do not
/// know. The next owner reads those records again; when its batch ends on the
/// value the clocks name, that value must still be sent, because a value in
/// between may be what Bookbag holds. (Seen in DurableClockTests' scale run:
/// `plan basic, latest free`, after a SIGKILL.)
@Suite(.serialized, .timeLimit(.minutes(2)))
struct UnrecordedSendTests {
    @Test func aValueStoredByAKilledReplicaIsOverwrittenByTheLatest() async throws {
        let topics = TestTopics("unrecorded")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let watcher = try ResultWatcher(topic: topics.results)
            let replica = Replica("unrecorded", topics: topics, sim: sim, extra: ["BATCH_MAX_WAIT_MS": "1000"])
            try replica.start()

            // free at 10:00:10 is stored and its clock written.
            try await produce(topics.profile, [(key: "unrec", value: profileEvent("u1", "unrec", at: "2026-11-24T10:00:10.000Z", fields: #""custom_attributes": {"plan": "free"}"#))])
            #expect(await waitForResults(watcher, 1, running: [replica]))

            // basic at 10:00:20 is stored, but the answer takes long and the replica dies waiting for it.
            sim.state.setFaults(SimFaults(responseDelayMilliseconds: 30_000))
            try await produce(topics.profile, [(key: "unrec", value: profileEvent("u2", "unrec", at: "2026-11-24T10:00:20.000Z", fields: #""custom_attributes": {"plan": "basic"}"#))])
            let stored = await eventually(timeout: .seconds(30)) {
                sim.state.contact("unrec")?.customAttributes["plan"] == .string("basic")
            }
            #expect(stored, "Bookbag stored basic")
            await replica.stop(SIGKILL)
            sim.state.setFaults(.none)

            // free again at 10:00:30: the next life reads basic and free together.
            try await produce(topics.profile, [(key: "unrec", value: profileEvent("u3", "unrec", at: "2026-11-24T10:00:30.000Z", fields: #""custom_attributes": {"plan": "free"}"#))])
            try replica.start()
            #expect(await waitForResults(watcher, 3, running: [replica]))
            #expect(await replica.stop(SIGTERM) == 0)
            let results = await watcher.finish()
            let plan = sim.state.contact("unrec")?.customAttributes["plan"]
            #expect(plan == .string("free"), "Bookbag holds the latest plan (free at 10:00:30), not \(String(describing: plan)); results: \(results.map(\.raw))")
        }
    }
}
