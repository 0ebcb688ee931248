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
///
/// Contacts are held in their binary form (`ContactClocks.encoded()`): about a
/// fifth smaller than the entries array for three fields (measured: 162 against
/// 194 bytes per contact, the dictionary included), and attribute names longer
/// than 15 bytes stay inline instead of costing a string allocation each.
/// Decoding on lookup is cheap next to the upsert it serves.
public struct ClockCache: Sendable {
    public let capacity: Int
    private let generationLimit: Int
    private let keepsPreviousGeneration: Bool
    private var current: [String: [UInt8]] = [:]
    private var previous: [String: [UInt8]] = [:]

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
        if let encoded = current[externalID] { return ContactClocks(encoded: encoded) }
        guard let encoded = previous.removeValue(forKey: externalID) else { return nil }
        insertIntoCurrent(externalID, encoded)
        return ContactClocks(encoded: encoded)
    }

    /// Holds `clocks` as the contact's clocks, replacing any held.
    public mutating func store(_ externalID: String, _ clocks: ContactClocks) {
        store(externalID, encoded: clocks.encoded())
    }

    /// `store` with the clocks already in their binary form (`ContactClocks.encoded()`).
    public mutating func store(_ externalID: String, encoded: [UInt8]) {
        if let index = current.index(forKey: externalID) {
            current.values[index] = encoded
            return
        }
        previous.removeValue(forKey: externalID)
        insertIntoCurrent(externalID, encoded)
    }

    /// Merges `clocks` into the contact's clocks if it is held (in whichever
    /// generation: a changelog record from another replica is no use of the
    /// contact here); does nothing otherwise, since the store holds the truth.
    public mutating func mergeIfPresent(_ externalID: String, _ clocks: ContactClocks) {
        if let index = current.index(forKey: externalID) {
            Self.merge(clocks, into: &current.values[index])
        } else if let index = previous.index(forKey: externalID) {
            Self.merge(clocks, into: &previous.values[index])
        }
    }

    public mutating func removeAll() {
        current = [:]
        previous = [:]
    }

    private static func merge(_ clocks: ContactClocks, into encoded: inout [UInt8]) {
        encoded = encoded.withUnsafeBytes { ContactClocks.mergedEncoded($0, with: clocks) }
    }

    private mutating func insertIntoCurrent(_ externalID: String, _ encoded: [UInt8]) {
        guard generationLimit > 0 else { return }
        if current.count >= generationLimit {
            previous = keepsPreviousGeneration ? current : [:]
            current = [:]
        }
        current[externalID] = encoded
    }
}
