/// What this service last stored in Bookbag, per contact and field: the value
/// and its stamp. Used to drop stale fields (an older `occurred_at` than what
/// is stored) and to skip upserts that would change nothing.
///
/// Bound: at most `capacity` contacts. Contacts live in two generations of
/// `capacity / 2` each. New and touched contacts go into the current one; when
/// it is full it becomes the previous one and the old previous one is dropped
/// whole. A contact found in the previous generation moves back to the current
/// one, so recently used contacts survive (an approximate LRU, O(1) amortised
/// per operation). With `capacity` 1 there is a single generation of one.
/// Forgetting a contact is safe: its next update is simply sent again.
public struct ContactMemory: Sendable {
    public enum Reconciled: Sendable, Equatable {
        /// Nothing in the update is newer and different from what is stored.
        case unchanged
        /// The update with only the fields that still need storing.
        case changed(ContactUpdate)
    }

    public let capacity: Int
    private let generationLimit: Int
    private let keepsPreviousGeneration: Bool
    private var current: [String: RememberedFields] = [:]
    private var previous: [String: RememberedFields] = [:]

    /// `capacity` 0 remembers nothing.
    public init(capacity: Int) {
        precondition(capacity >= 0, "ContactMemory capacity must not be negative")
        self.capacity = capacity
        keepsPreviousGeneration = capacity >= 2
        generationLimit = capacity >= 2 ? capacity / 2 : capacity
    }

    /// Contacts remembered now; never more than `capacity`.
    public var count: Int { current.count + previous.count }

    /// Drops the fields of `update` that are older than what is stored, and
    /// those equal to what is stored (their stored stamp advances, since that
    /// value is already in Bookbag).
    public mutating func reconcile(_ update: ContactUpdate) -> Reconciled {
        if update.fields.isEmpty { return .unchanged }
        let kept = withRemembered(update.externalID, createIfMissing: false) { remembered in
            var kept = update.fields
            for (field, offered) in update.fields {
                guard let index = remembered.index(of: field) else { continue }
                let stored = remembered.entries[index].stamped
                if offered.stamp < stored.stamp {
                    kept[field] = nil
                } else if offered.value == stored.value {
                    kept[field] = nil
                    remembered.entries[index].stamped.stamp = offered.stamp
                }
            }
            return kept
        }
        guard let kept else { return .changed(update) }
        if kept.isEmpty { return .unchanged }
        if kept.count == update.fields.count { return .changed(update) }
        var changed = update
        changed.fields = kept
        return .changed(changed)
    }

    /// Records the fields Bookbag just stored, each only if not older than what
    /// is remembered for it.
    public mutating func remember(_ stored: ContactUpdate) {
        if stored.fields.isEmpty { return }
        withRemembered(stored.externalID, createIfMissing: true) { remembered in
            for (field, value) in stored.fields {
                if let index = remembered.index(of: field) {
                    if !(value.stamp < remembered.entries[index].stamped.stamp) {
                        remembered.entries[index].stamped = value
                    }
                } else {
                    remembered.entries.append(RememberedField(field: field, stamped: value))
                }
            }
        }
    }

    /// Runs `body` on the contact's remembered fields, moving the contact into
    /// the current generation. Returns `nil` when the contact is unknown and
    /// `createIfMissing` is false.
    @discardableResult
    private mutating func withRemembered<Result>(
        _ externalID: String, createIfMissing: Bool, _ body: (inout RememberedFields) -> Result
    ) -> Result? {
        if let index = current.index(forKey: externalID) {
            return body(&current.values[index])
        }
        var remembered: RememberedFields
        if let fromPrevious = previous.removeValue(forKey: externalID) {
            remembered = fromPrevious
        } else if createIfMissing {
            remembered = RememberedFields()
        } else {
            return nil
        }
        let result = body(&remembered)
        insertIntoCurrent(externalID, remembered)
        return result
    }

    private mutating func insertIntoCurrent(_ externalID: String, _ remembered: RememberedFields) {
        guard generationLimit > 0 else { return }
        if current.count >= generationLimit {
            previous = keepsPreviousGeneration ? current : [:]
            current = [:]
        }
        current[externalID] = remembered
    }
}

/// A contact's stored fields. A short array: contacts have few fields, and it
/// is smaller and faster to scan than a dictionary at that size.
struct RememberedFields: Sendable {
    var entries: [RememberedField] = []

    func index(of field: ContactField) -> Int? {
        entries.firstIndex { $0.field == field }
    }
}

struct RememberedField: Sendable {
    var field: ContactField
    var stamped: StampedValue
}
