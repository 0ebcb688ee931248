/// The field clocks of recently used contacts, in memory in front of the
/// clock store.
///
/// Bound: at most `capacity` contacts. Contacts live in two generations of
/// `capacity / 2` each. Stored and looked-up contacts go into the current one;
/// when it is full it becomes the previous one and the old previous one is
/// dropped whole. A contact found in the previous generation moves back to the
/// current one, so recently used contacts survive (an approximate LRU, O(1)
/// amortised per operation). With `capacity` 1 there is a single generation of
/// one. Forgetting a contact is safe: its clocks are read from the store again.
public struct ClockCache: Sendable {
    public let capacity: Int
    private let generationLimit: Int
    private let keepsPreviousGeneration: Bool
    private var current: [String: ContactClocks] = [:]
    private var previous: [String: ContactClocks] = [:]

    /// `capacity` 0 remembers nothing.
    public init(capacity: Int) {
        precondition(capacity >= 0, "ClockCache capacity must not be negative")
        self.capacity = capacity
        keepsPreviousGeneration = capacity >= 2
        generationLimit = capacity >= 2 ? capacity / 2 : capacity
    }

    /// Contacts held now; never more than `capacity`.
    public var count: Int { current.count + previous.count }

    /// The contact's clocks if held, moving it into the current generation.
    public mutating func lookup(_ externalID: String) -> ContactClocks? {
        if let clocks = current[externalID] { return clocks }
        guard let clocks = previous.removeValue(forKey: externalID) else { return nil }
        insertIntoCurrent(externalID, clocks)
        return clocks
    }

    /// Holds `clocks` as the contact's clocks, replacing any held.
    public mutating func store(_ externalID: String, _ clocks: ContactClocks) {
        if let index = current.index(forKey: externalID) {
            current.values[index] = clocks
            return
        }
        previous.removeValue(forKey: externalID)
        insertIntoCurrent(externalID, clocks)
    }

    /// Merges `clocks` into the contact's clocks if it is held (where it is: a
    /// changelog record from another replica is no use of the contact here);
    /// does nothing otherwise, since the store then holds the truth.
    public mutating func mergeIfPresent(_ externalID: String, _ clocks: ContactClocks) {
        if let index = current.index(forKey: externalID) {
            current.values[index].merge(clocks)
        } else if let index = previous.index(forKey: externalID) {
            previous.values[index].merge(clocks)
        }
    }

    public mutating func removeAll() {
        current = [:]
        previous = [:]
    }

    private mutating func insertIntoCurrent(_ externalID: String, _ clocks: ContactClocks) {
        guard generationLimit > 0 else { return }
        if current.count >= generationLimit {
            previous = keepsPreviousGeneration ? current : [:]
            current = [:]
        }
        current[externalID] = clocks
    }
}
