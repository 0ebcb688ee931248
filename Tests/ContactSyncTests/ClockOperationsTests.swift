import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// The operator's side of the field clocks: an unreadable store is refused with
/// the command that rebuilds it; `contact-sync clocks rebuild` builds it from the
/// changelog; a rewind re-applies only what is newer, and CLOCKS_RESEND_STORED
/// sends what Bookbag already holds again.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClockOperationsTests {
    @Test func anUnreadableStoreIsRefusedAndTheRebuildCommandRestoresIt() async throws {
        let topics = TestTopics("clock-ops-rebuild")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            let store = topics.storePath("rebuild")
            defer { try? ClockStore.remove(at: store) }
            let environment = serviceEnvironment(
                topics: topics, simURL: sim.baseURL, opsPort: freePort(),
                extra: ["BOOKBAG_API_KEY": testKey, "CLOCK_STORE_PATH": store])

            // A first life writes clocks to the changelog.
            try await produce(topics.profile, (0..<20).map { index in
                (key: "ops-\(index)", value: profileEvent("ops-e\(index)", "ops-\(index)", at: "2026-11-24T10:00:00.000Z", fields: #""name": "First""#))
            })
            let first = try ServiceProcess(environment: environment)
            _ = try await readUntilAccounted(topics.results, records: 20, timeout: .seconds(60))
            first.signal(SIGTERM)
            #expect(await first.waitForExit() == 0)

            // The store is damaged: the service refuses to start, and says how to fix it.
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: store))
            let refused = try ServiceProcess(environment: environment)
            #expect(await refused.waitForExit(timeout: .seconds(30)) == 1, "an unreadable store stops the service")
            #expect(refused.output.contains("contact-sync clocks rebuild"), "the refusal names the command: \(refused.output.suffix(600))")

            // The command rebuilds it from the changelog: all 20 contacts.
            let rebuild = try ServiceProcess(environment: environment, arguments: ["clocks", "rebuild"])
            #expect(await rebuild.waitForExit(timeout: .seconds(60)) == 0, "rebuild: \(rebuild.output.suffix(600))")
            #expect(rebuild.output.contains("20 contacts"), "rebuild output: \(rebuild.output.suffix(400))")

            // And the service runs on it: an older event for a stored contact is refused as older.
            try await produce(topics.profile, [(key: "ops-3", value: profileEvent("ops-old", "ops-3", at: "2026-11-24T09:00:00.000Z", fields: #""name": "Older""#))])
            let after = try ServiceProcess(environment: environment)
            let results = try await resultRecords(topics.results, atLeast: 21)
            let old = results.first { $0.eventIDs.contains("ops-old") }
            #expect(old?.status == "unchanged" && old?.reason == "older_than_stored", "the rebuilt clocks refuse an older value: \(old?.raw ?? "no result")")
            #expect(sim.state.contact("ops-3")?.name == "First")
            after.signal(SIGTERM)
            #expect(await after.waitForExit() == 0)
        }
    }

    @Test func aRewindReappliesOnlyWhatIsNewerAndResendStoredSendsAgain() async throws {
        let topics = TestTopics("clock-ops-replay")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            let store = topics.storePath("replay")
            defer { try? ClockStore.remove(at: store) }
            let count = 30
            try await produce(topics.profile, (0..<count).map { index in
                (key: "rp-\(index)", value: profileEvent("rp-e\(index)", "rp-\(index)", at: "2026-11-24T10:00:00.000Z", fields: #""email": "a\#(index)@example.org""#))
            })

            let first = try RunningService(topics: topics, sim: sim) { $0.clocks.storePath = store }
            _ = try await readUntilAccounted(topics.results, records: count)
            try await first.stop()
            let upsertsBefore = sim.state.stats().usersReceived

            // A rewind (a new group reads from the start) on the same store: nothing is sent again.
            let replayGroup = topics.group + ".replay"
            let replay = try RunningService(topics: topics, sim: sim) {
                $0.clocks.storePath = store
                $0.kafka.groupID = replayGroup
            }
            let all = try await resultRecords(topics.results, atLeast: count * 2)
            try await replay.stop()
            let replayed = all.filter { $0.status == "unchanged" }
            #expect(replayed.count == count && replayed.allSatisfy { $0.reason == "already_stored" }, "the replay finds every value stored")
            #expect(sim.state.stats().usersReceived == upsertsBefore, "a replay sends nothing Bookbag holds")

            // The operator forces a re-send: every contact is sent again.
            let resend = try RunningService(topics: topics, sim: sim) {
                $0.clocks.storePath = store
                $0.kafka.groupID = topics.group + ".resend"
                $0.clocks.resendStored = true
            }
            let withResend = try await resultRecords(topics.results, atLeast: count * 3)
            try await resend.stop()
            #expect(withResend.filter { $0.status == "synced" }.count == count * 2, "the forced re-send syncs every contact again")
            #expect(sim.state.stats().usersReceived == upsertsBefore + count)
        }
    }
}

/// The first `count` result records (a replay names the same sources again, so
/// counting sources would not tell a second decision from the first).
private func resultRecords(_ topic: String, atLeast count: Int) async throws -> [ResultView] {
    try await readRecords(topic, atLeast: count).map { ResultView(json: parseJSON($0.value)) }
}
