import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing
import Workload

/// Issue 12: the latest value per field wins across restarts (SIGTERM and
/// SIGKILL), replicas joining and leaving, contacts the memory no longer holds,
/// and a lost local store. Each test runs the contact-sync binary against Tansu
/// and bookbag-sim, with events that arrive out of order, and checks Bookbag
/// against the event log. Without durable field clocks an event read after a
/// restart, a rebalance or an eviction overwrites a newer stored value.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct DurableClockTests {
    /// Events up to 30 s out of order: a late event's occurred_at lies up to 30 s
    /// before its customer's previous event. Many late events, on few enough
    /// customers that a late event often meets a newer stored value.
    static func lateTraffic(events: Int, customers: Int, seed: UInt64, _ name: String) -> WorkloadSpec {
        WorkloadSpec(
            events: events, customers: customers, badRecordShare: 0, outOfOrderShare: 0.3, maxLateness: .seconds(30),
            seed: seed, idPrefix: "\(name)\(UInt16.random(in: 0...9999))-")
    }

    /// The bound the tests rely on: a late event lies less than 30 s before its
    /// customer's previous event, and there are thousands of them.
    @Test func lateTrafficIsAtMostThirtySecondsLate() {
        var previous: [String: Timestamp] = [:]
        var late = 0
        var largest: Int64 = 0
        for record in WorkloadGenerator(spec: Self.lateTraffic(events: 20_000, customers: 2_000, seed: 1201, "bound")) {
            guard let event = record.event else { continue }
            if let before = previous[event.externalID], event.occurredAt < before {
                late += 1
                largest = max(largest, before.nanosecondsSinceEpoch - event.occurredAt.nanosecondsSinceEpoch)
            }
            previous[event.externalID] = event.occurredAt
        }
        #expect(late > 5_000, "\(late) late events")
        #expect(largest > 25_000_000_000 && largest < 30_000_000_000, "the latest is \(largest) ns late")
    }

    /// A Bookbag slow enough that every life of a replica is spent mid-work.
    static func startSlowSim(latency: Int = 100) async throws -> RunningBookbagSim {
        let sim = try await startSim()
        sim.state.setFaults(SimFaults(latencyMilliseconds: latency))
        return sim
    }

    @Test func latestValuesSurviveThreeSIGTERMRestartsAndThreeSIGKILLs() async throws {
        let topics = TestTopics("clock-restarts")
        try await topics.create(partitions: 3)
        try await withBookbagSim(startedBy: { try await Self.startSlowSim() }) { sim in
            let traffic = ProducedTraffic.plan(Self.lateTraffic(events: 20_000, customers: 2_000, seed: 1201, "clr"))
            let watcher = try ResultWatcher(topic: topics.results)
            let replica = Replica("restarts", topics: topics, sim: sim)
            try replica.start()
            let feeding = Task { try await traffic.produceGradually(into: topics) }

            // Every ~3,000 records with results, the replica goes down and comes back on the same store.
            for (round, signal) in [SIGTERM, SIGKILL, SIGTERM, SIGKILL, SIGTERM, SIGKILL].enumerated() {
                let mark = 3_000 * (round + 1)
                #expect(await waitForResults(watcher, mark, running: [replica]), "\(mark) records get results before stop \(round + 1)")
                let status = await replica.stop(signal)
                if signal == SIGTERM { #expect(status == 0, "a SIGTERM stop exits 0") }
                progress("clock restarts: \(signal == SIGTERM ? "SIGTERM" : "SIGKILL") at \(watcher.accounted) records with results")
                try replica.start()
            }
            try await feeding.value
            #expect(await waitForResults(watcher, traffic.records.count, running: [replica], timeout: .seconds(90)))
            #expect(await replica.stop(SIGTERM) == 0)
            expectExactlyLatest(traffic, results: await watcher.finish(), sim: sim, "clock restarts (\(replica.lives) lives)")
        }
    }

    @Test func latestValuesSurviveReplicasJoiningLeavingAndKilledOverSixPartitions() async throws {
        let topics = TestTopics("clock-scale")
        try await topics.create(partitions: 6)
        try await withBookbagSim(startedBy: { try await Self.startSlowSim() }) { sim in
            let traffic = ProducedTraffic.plan(Self.lateTraffic(events: 20_000, customers: 2_000, seed: 1202, "cls"))
            let watcher = try ResultWatcher(topic: topics.results)
            let (first, second, third) = (
                Replica("scale-a", topics: topics, sim: sim), Replica("scale-b", topics: topics, sim: sim),
                Replica("scale-c", topics: topics, sim: sim)
            )
            try first.start()
            // Traffic arrives over about 40 s and the replicas keep up with it, so every
            // rebalance lands mid-stream however fast they are.
            let feeding = Task { try await traffic.produceGradually(into: topics, chunk: 1_000, pause: .seconds(2)) }

            #expect(await waitForResults(watcher, 2_000, running: [first]))
            try second.start()
            progress("clock scale: b joins at \(watcher.accounted)")
            #expect(await waitForResults(watcher, 4_500, running: [first, second]))
            try third.start()
            progress("clock scale: c joins at \(watcher.accounted)")
            #expect(await waitForResults(watcher, 7_000, running: [first, second, third]))
            #expect(await second.stop(SIGTERM) == 0, "b leaves with SIGTERM and exits 0")
            progress("clock scale: b left at \(watcher.accounted)")
            // Some work between the two departures, so that each has its own rebalance.
            #expect(await waitForResults(watcher, min(watcher.accounted + 2_500, traffic.records.count - 2_000), running: [first, third]))
            await first.stop(SIGKILL)
            progress("clock scale: a killed at \(watcher.accounted)")
            try await feeding.value
            #expect(await waitForResults(watcher, traffic.records.count, running: [third], timeout: .seconds(90)))
            #expect(await third.stop(SIGTERM) == 0)
            expectExactlyLatest(traffic, results: await watcher.finish(), sim: sim, "clock scale")
        }
    }

    /// A contact memory of 50 for 2,000 customers: almost every contact is
    /// forgotten between its events, so only the durable clocks can refuse an older value.
    @Test func latestValuesHoldForContactsTheMemoryForgot() async throws {
        let topics = TestTopics("clock-forgotten")
        try await topics.create(partitions: 3)
        try await withBookbagSim(startedBy: { try await Self.startSlowSim() }) { sim in
            let traffic = ProducedTraffic.plan(Self.lateTraffic(events: 10_000, customers: 2_000, seed: 1203, "clf"))
            let watcher = try ResultWatcher(topic: topics.results)
            let replica = Replica("forgotten", topics: topics, sim: sim, extra: ["CONTACT_MEMORY_CAPACITY": "50"])
            try replica.start()
            let feeding = Task { try await traffic.produceGradually(into: topics) }

            #expect(await waitForResults(watcher, 5_000, running: [replica]))
            #expect(await replica.stop(SIGTERM) == 0)
            progress("clock forgotten: restarted at \(watcher.accounted)")
            try replica.start()
            try await feeding.value
            #expect(await waitForResults(watcher, traffic.records.count, running: [replica], timeout: .seconds(90)))
            #expect(await replica.stop(SIGTERM) == 0)
            expectExactlyLatest(traffic, results: await watcher.finish(), sim: sim, "clock forgotten")
        }
    }

    /// The local store is deleted between two runs; the second run's traffic is
    /// partly older than what the first stored. The store must come back from the
    /// changelog, so those older events are refused.
    @Test func aDeletedStoreIsRebuiltFromTheChangelog() async throws {
        let topics = TestTopics("clock-storeloss")
        try await topics.create(partitions: 3)
        try await withBookbagSim { sim in
            let firstSpec = Self.lateTraffic(events: 6_000, customers: 1_000, seed: 1204, "cll")
            var traffic = ProducedTraffic.plan(firstSpec)
            let watcher = try ResultWatcher(topic: topics.results)
            let replica = Replica("storeloss", topics: topics, sim: sim)
            try replica.start()
            try await traffic.produceGradually(into: topics)
            #expect(await waitForResults(watcher, traffic.records.count, running: [replica], timeout: .seconds(90)))
            #expect(await replica.stop(SIGTERM) == 0)
            replica.deleteStore()
            #expect(!replica.storeExists)

            // Same customers; the first half of this traffic occurred during the second
            // half of the first run's (offset by half a second so in-order events never tie).
            var secondSpec = firstSpec
            secondSpec.seed = 1205
            secondSpec.startTime = Timestamp(
                nanosecondsSinceEpoch: firstSpec.startTime.nanosecondsSinceEpoch + Int64(firstSpec.events / 2) * 1_000_000_000 + 500_000_000)
            let second = ProducedTraffic.plan(secondSpec)
            let olderThanStored = Self.eventsOlderThanTheLatest(of: traffic, in: second)
            traffic.append(second)
            try await second.produceGradually(into: topics)
            try replica.start()
            #expect(await waitForResults(watcher, traffic.records.count, running: [replica], timeout: .seconds(90)))
            #expect(await replica.stop(SIGTERM) == 0)
            #expect(olderThanStored > 500, "the second run has events older than what the first stored (\(olderThanStored))")
            expectExactlyLatest(traffic, results: await watcher.finish(), sim: sim, "clock store loss (\(olderThanStored) later events older than stored ones)")
        }
    }

    /// CLOCK_TOPIC names a topic that does not exist: the service must not start
    /// with empty clocks; it exits with status 1 and names the topic.
    @Test func aMissingClockTopicStopsTheServiceWithItsName() async throws {
        let topics = TestTopics("clock-missing")
        try await topics.create(partitions: 1, withClockTopic: false)
        try await withBookbagSim { sim in
            let replica = Replica("missing", topics: topics, sim: sim)
            try replica.start()
            let process = try #require(replica.process)
            let status = await process.waitForExit(timeout: .seconds(30))
            let output = process.output
            progress("clock missing: exit \(status.map(String.init) ?? "none within 30 s"); output ends: \(output.suffix(600))")
            #expect(status == 1, "exits with status 1 within 30 s")
            let namesTheTopic = output.contains(topics.clocks)
            #expect(namesTheTopic, "the output names the clock topic \(topics.clocks)")
            await replica.stop(SIGKILL)
        }
    }

    /// Good events of `later` whose occurred_at lies before the latest event of
    /// the same customer on the same topic in `earlier`.
    static func eventsOlderThanTheLatest(of earlier: ProducedTraffic, in later: ProducedTraffic) -> Int {
        var latest: [String: Timestamp] = [:]
        for record in earlier.records {
            guard let event = record.event, let key = record.customerOnTopic else { continue }
            latest[key] = max(latest[key] ?? event.occurredAt, event.occurredAt)
        }
        return later.records.count(where: { record in
            guard let event = record.event, let key = record.customerOnTopic, let stored = latest[key] else { return false }
            return event.occurredAt < stored
        })
    }
}
