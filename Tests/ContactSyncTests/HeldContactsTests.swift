import BookbagSim
@testable import ContactSync
import ContactSyncCore
import Testing
import Workload

/// In a backlog at the batch ceiling, contacts a batch sees first are held for
/// one batch and fold on with the next one's events; those carried in go out.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct HeldContactsTests {
    private func update(_ id: String) -> ContactUpdate {
        ContactUpdate(externalID: id, earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0))
    }

    @Test func contactsCarriedInGoOutAndThoseSeenFirstAreHeld() {
        let carriedIn = CarriedContacts(updates: [update("a"), update("b")], records: [], tickets: [])
        let (send, hold) = CarriedContacts.holdingNew([update("c"), update("a"), update("d")], carriedIn: carriedIn)
        #expect(send.map(\.externalID) == ["a"])
        #expect(hold.map(\.externalID) == ["c", "d"])
        // Nothing carried in (the first batch at the ceiling): every contact is new.
        let (sendFirst, holdFirst) = CarriedContacts.holdingNew([update("a"), update("b")], carriedIn: nil)
        #expect(sendFirst.isEmpty && holdFirst.map(\.externalID) == ["a", "b"])
    }

    @Test func carryingOutTakesExactlyTheCarriedContactsRecords() {
        // Two topics, each with a record at partition 0, offset 5: the same
        // partition and offset, told apart by the topic alone.
        func record(_ topic: String, _ offset: Int64) -> KafkaRecord {
            KafkaRecord(topic: topic, partition: 0, offset: offset, key: nil, value: Array("\(topic)@\(offset)".utf8), consumedAtNanos: 0)
        }
        let records = [record("profile", 5), record("login", 5), record("login", 6)]
        var tracker = OffsetTracker()
        for record in records { tracker.assign(record.topicPartition) }
        let tickets = records.compactMap { tracker.register($0.topicPartition, offset: $0.offset) }
        var carriedUpdate = update("a")
        carriedUpdate.sources = [records[1].source]
        var freeUpdate = update("b")
        freeUpdate.sources = [records[0].source, records[2].source]
        var work = BatchProcessor.Work(batch: RecordBatch(records: records, tickets: tickets))
        let carried = work.carryOut([carriedUpdate], keeping: [freeUpdate])
        #expect(carried.records.map(\.source) == [records[1].source])
        #expect(carried.tickets == [tickets[1]])
        #expect(work.batch.records.map(\.source) == [records[0].source, records[2].source])
        #expect(work.batch.tickets == [tickets[0], tickets[2]])
        #expect(work.updates.map(\.externalID) == ["b"] && work.summary.records == 2)
    }

    @Test func aBacklogAtTheCeilingHoldsNewContactsAndTheResultIsExact() async throws {
        let spec = WorkloadSpec(events: 6_000, customers: 400, badRecordShare: 0, seed: 43, idPrefix: "hc\(UInt16.random(in: 0...9999))-")
        // Batches grow from 50 to 200 records while a request takes 50 ms: the
        // backlog keeps them at the ceiling for most of the run.
        try await BacklogRun.run("held", spec, faults: SimFaults(latencyMilliseconds: 50)) { configuration in
            configuration.batching.minEvents = 50
            configuration.batching.maxEvents = 200
            configuration.batching.maxOutstandingRecords = 800
        } check: { run in
            let stats = run.sim.state.stats()
            let held = sampleValue(run.metrics, "contact_sync_contacts_held_total") ?? 0
            print("held test: \(stats.usersReceived) users in \(stats.upsertRequests) upserts for \(run.traffic.records.count) events; \(Int(held)) contacts held")
            #expect(held > 0, "contacts first seen at the ceiling were held for the next batch")
            let batches = histogram(run.metrics, "contact_sync_batch_records")
            #expect((batches["+Inf"] ?? 0) == (batches["250.0"] ?? 0), "held records do not count towards the batch size: \(batches)")
            run.expectExact()
        }
    }
}
