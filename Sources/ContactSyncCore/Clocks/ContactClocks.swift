/// The field clocks of one contact. A short array: a contact has few fields,
/// and at that size an array is smaller and faster to scan than a dictionary.
/// Each field appears at most once, in the canonical order (email, name,
/// phone, then attributes by the bytes of their names), so that equal clocks
/// encode to equal bytes.
public struct ContactClocks: Sendable, Equatable, RandomAccessCollection {
    public struct Entry: Sendable, Equatable {
        public var field: ContactField
        public var clock: FieldClock

        public init(field: ContactField, clock: FieldClock) {
            self.field = field
            self.clock = clock
        }
    }

    private var entries: [Entry]

    public init() {
        entries = []
    }

    /// Empty, with room for `capacity` entries.
    init(reservingCapacity capacity: Int) {
        entries = []
        entries.reserveCapacity(capacity)
    }

    /// The entries in order, a repeated field merged by the merge rule.
    public init(_ entries: some Sequence<Entry>) {
        self.init()
        for entry in entries { merge(entry.field, entry.clock) }
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }

    public func clock(for field: ContactField) -> FieldClock? {
        entries.first { $0.field == field }?.clock
    }

    /// Keeps the clock with the greater `occurredAt`; on equal `occurredAt` the
    /// incoming clock replaces the existing one (it was written later).
    /// Returns whether anything changed.
    @discardableResult
    public mutating func merge(_ field: ContactField, _ clock: FieldClock) -> Bool {
        let (index, found) = position(of: field)
        guard found else {
            entries.insert(Entry(field: field, clock: clock), at: index)
            return true
        }
        let existing = entries[index].clock
        guard existing.occurredAt <= clock.occurredAt, existing != clock else { return false }
        entries[index].clock = clock
        return true
    }

    /// Merges every clock of `other`, field by field. Returns whether anything changed.
    @discardableResult
    public mutating func merge(_ other: ContactClocks) -> Bool {
        var changed = false
        // Room for all at once: inserting one by one reallocated at every doubling (heaptrack).
        entries.reserveCapacity(entries.count + other.entries.count)
        for entry in other.entries where merge(entry.field, entry.clock) { changed = true }
        return changed
    }

    /// Merges the clocks of the fields Bookbag just stored from `update`.
    public mutating func record(stored update: ContactUpdate) {
        entries.reserveCapacity(entries.count + update.fields.count)
        for (field, value) in update.fields { merge(field, FieldClock(of: value)) }
    }

    /// Appends an entry that must sort after every entry held (for decoders,
    /// which reject anything else); false, changing nothing, when it does not.
    mutating func appendInOrder(_ field: ContactField, _ clock: FieldClock) -> Bool {
        if let last = entries.last, !last.field.sorts(before: field) { return false }
        entries.append(Entry(field: field, clock: clock))
        return true
    }

    /// Where `field` is, or where it belongs.
    private func position(of field: ContactField) -> (index: Int, found: Bool) {
        for (index, entry) in entries.enumerated() {
            if entry.field == field { return (index, true) }
            if field.sorts(before: entry.field) { return (index, false) }
        }
        return (entries.count, false)
    }
}

extension ContactField {
    /// The canonical order of clock entries: email, name, phone, then
    /// attributes by the UTF-8 bytes of their names.
    func sorts(before other: ContactField) -> Bool {
        switch (self, other) {
        case (.attribute(let a), .attribute(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
        default: return rank < other.rank
        }
    }

    private var rank: Int {
        switch self {
        case .email: return 0
        case .name: return 1
        case .phone: return 2
        case .attribute: return 3
        }
    }
}
