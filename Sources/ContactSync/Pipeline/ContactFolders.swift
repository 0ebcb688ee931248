import ContactSyncCore
import Synchronization

/// A batch's folding over the cores: one `BatchFolder` per core, each taking
/// the events of the contacts `ContactShard` gives it. Every event of a
/// contact goes to the same folder, in record order, so each contact folds as
/// it would on one core; the contacts only come out folder after folder.
final class ContactFolders: Sendable {
    /// A folder behind a lock that is never contended: one task folds into
    /// it at a time, and the batch reads it once the folding is done.
    private final class Slot: Sendable {
        let folder: Mutex<BatchFolder>
        init(_ folder: BatchFolder) { self.folder = Mutex(folder) }
    }

    private let slots: [Slot]

    /// `count` folders going on from the `carried` updates (each folder takes its contacts').
    init(count: Int, continuing carried: [ContactUpdate]) {
        if count == 1 {
            slots = [Slot(BatchFolder(continuing: carried))]
            return
        }
        var parts = [[ContactUpdate]](repeating: [], count: count)
        for update in carried { parts[ContactShard.of(update.externalID, count: count)].append(update) }
        slots = parts.map { Slot(BatchFolder(continuing: $0)) }
    }

    /// The folder a contact's events go to.
    func folder(of externalID: String) -> UInt8 { UInt8(ContactShard.of(externalID, count: slots.count)) }

    /// Folds the decoded events of `records` (in parts, in record order) on
    /// every folder at once: each takes those that `eventFolders` gives it.
    /// Record `i` of the slice has sequence `firstSequence + i + 1`.
    func fold(
        _ decoded: [[Result<StoreEvent, DecodeFailure>]], of records: ArraySlice<KafkaRecord>,
        eventFolders: [UInt8], firstSequence: UInt64
    ) async {
        _ = await SplitWork.each(slots.count) { [slots] folder in
            slots[folder].folder.withLock { folding in
                let mine = UInt8(folder)
                var index = 0
                for part in decoded {
                    for result in part {
                        if eventFolders[index] == mine, case .success(let event) = result {
                            folding.add(
                                event, source: records[records.startIndex + index].source,
                                sequence: firstSequence + UInt64(index) + 1)
                        }
                        index += 1
                    }
                }
            }
        }
    }

    /// Every folder's updates, folder after folder (each in order of first appearance).
    var updates: [ContactUpdate] {
        if slots.count == 1 { return slots[0].folder.withLock { $0.updates } }
        var all: [ContactUpdate] = []
        for slot in slots { slot.folder.withLock { all += $0.updates } }
        return all
    }
}
