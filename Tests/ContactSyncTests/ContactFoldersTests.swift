import ContactSyncCore
import Testing
import Workload

@testable import ContactSync

/// Folding over the cores must give every contact the update one folder gives
/// it: the same fields, events and sources in read order, going on from the
/// carried updates; only the order of contacts may differ.
@Suite struct ContactFoldersTests {
    private static let records: [KafkaRecord] = WorkloadGenerator(
        spec: WorkloadSpec(events: 6_000, customers: 400, badRecordShare: 0.02, seed: 11)
    ).enumerated().map { offset, generated in
        KafkaRecord(
            topic: generated.topic.defaultName, partition: 0, offset: Int64(offset), key: generated.key,
            value: generated.value, consumedAtNanos: 0)
    }

    private func decoded(_ records: ArraySlice<KafkaRecord>) -> [Result<StoreEvent, DecodeFailure>] {
        records.map { BatchProcessor.decode($0, limits: DecodeLimits()) }
    }

    /// What one folder over the same events gives, contact by contact.
    private func oneFolder(
        carried: [ContactUpdate], _ decoded: [Result<StoreEvent, DecodeFailure>], _ records: ArraySlice<KafkaRecord>,
        firstSequence: UInt64
    ) -> [ContactUpdate] {
        var folder = BatchFolder(continuing: carried)
        for (index, result) in decoded.enumerated() {
            if case .success(let event) = result {
                folder.add(event, source: records[records.startIndex + index].source, sequence: firstSequence + UInt64(index) + 1)
            }
        }
        return folder.updates
    }

    private func fold(
        over count: Int, carried: [ContactUpdate], _ decoded: [Result<StoreEvent, DecodeFailure>],
        _ records: ArraySlice<KafkaRecord>, firstSequence: UInt64, parts: Int
    ) async -> [ContactUpdate] {
        let folders = ContactFolders(count: count, continuing: carried)
        let eventFolders = decoded.map { result -> UInt8 in
            guard case .success(let event) = result else { return 0 }
            return folders.folder(of: event.externalID)
        }
        // In uneven parts, as decoding hands them over.
        let bounds = (0...parts).map { decoded.count * $0 * $0 / (parts * parts) }
        let split = (0..<parts).map { Array(decoded[bounds[$0]..<bounds[$0 + 1]]) }
        await folders.fold(split, of: records, eventFolders: eventFolders, firstSequence: firstSequence)
        return folders.updates
    }

    @Test(arguments: [1, 2, 3])
    func everyContactFoldsAsOnOneFolder(folders: Int) async throws {
        let carriedRecords = Self.records[0..<2_000]
        let carried = oneFolder(carried: [], decoded(carriedRecords), carriedRecords, firstSequence: 0)
        let batch = Self.records[2_000...]
        let results = decoded(batch)
        #expect(results.contains { if case .failure = $0 { true } else { false } }, "rejected records keep their sequence numbers")

        let expected = oneFolder(carried: carried, results, batch, firstSequence: 2_000)
        let folded = await fold(over: folders, carried: carried, results, batch, firstSequence: 2_000, parts: 3)

        #expect(folded.count == expected.count)
        let byContact = Dictionary(folded.map { ($0.externalID, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byContact.count == folded.count, "one update per contact")
        for update in expected { #expect(byContact[update.externalID] == update, "\(update.externalID)") }
        if folders == 1 { #expect(folded.map(\.externalID) == expected.map(\.externalID), "one folder keeps first appearance") }
    }

    @Test func theContactsAreSpreadOverTheFolders() async {
        let batch = Self.records[...]
        let folders = ContactFolders(count: 2, continuing: [])
        let ids = Set(decoded(batch).compactMap { try? $0.get().externalID })
        let onFirst = ids.filter { folders.folder(of: $0) == 0 }.count
        #expect(onFirst > ids.count / 4 && onFirst < ids.count * 3 / 4, "\(onFirst) of \(ids.count)")
    }
}
