/// Everything a batch says about one contact, folded field by field.
public struct ContactUpdate: Sendable, Equatable {
    public var externalID: String
    /// The winning value of each field the batch touched.
    public var fields: FieldValues
    /// Every event folded in, in read order (a replayed event appears again).
    public var eventIDs: [String]
    /// Every record folded in, in read order.
    public var sources: [RecordSource]
    public var eventCount: Int
    public var earliestOccurredAt: Timestamp

    public init(
        externalID: String, fields: FieldValues = [:], eventIDs: [String] = [],
        sources: [RecordSource] = [], eventCount: Int = 0, earliestOccurredAt: Timestamp
    ) {
        self.externalID = externalID
        self.fields = fields
        self.eventIDs = eventIDs
        self.sources = sources
        self.eventCount = eventCount
        self.earliestOccurredAt = earliestOccurredAt
    }

    /// Keeps `value` for `field` unless the field already holds a value with a
    /// greater or equal stamp, so the result does not depend on add order
    /// (`divergedAt` too, except that it may over-state).
    public mutating func offer(_ value: AttributeValue, for field: ContactField, stamp: FieldStamp) {
        if !fields.modifyValue(of: field, { $0.offer(value, stamp: stamp) }) {
            fields[field] = StampedValue(value: value, stamp: stamp)
        }
    }

    /// A login older than the one held, not formatted: its value (its own
    /// time, in milliseconds) differs from the held one unless both fall in the same millisecond.
    mutating func noteOlderLogin(at occurredAt: Timestamp) {
        fields.modifyValue(of: .lastLoginAt) { $0.noteOtherLoginTime(at: occurredAt) }
    }

    func holdsNewer(than stamp: FieldStamp, for field: ContactField) -> Bool {
        guard let held = fields[field] else { return false }
        return stamp < held.stamp
    }

    mutating func offer(_ change: FieldChange<String>, for field: ContactField, stamp: FieldStamp) {
        switch change {
        case .absent: return
        case .clear: offer(.null, for: field, stamp: stamp)
        case .set(let text): offer(.string(text), for: field, stamp: stamp)
        }
    }
}
