/// When a field's value was decided: the event's `occurred_at`, then the
/// order the service read the record. The greater stamp wins, so ties on
/// `occurred_at` go to the record read later (contracts section 1).
public struct FieldStamp: Sendable, Hashable, Comparable {
    public var occurredAt: Timestamp
    /// Global read order, increasing for the life of the process.
    public var sequence: UInt64

    public init(occurredAt: Timestamp, sequence: UInt64) {
        self.occurredAt = occurredAt
        self.sequence = sequence
    }

    public static func < (a: FieldStamp, b: FieldStamp) -> Bool {
        a.occurredAt != b.occurredAt ? a.occurredAt < b.occurredAt : a.sequence < b.sequence
    }
}

/// A field's value with the stamp that decided it. Email, name and phone use
/// `.string`, and `.null` to clear.
public struct StampedValue: Sendable, Equatable {
    public var value: AttributeValue
    public var stamp: FieldStamp

    public init(value: AttributeValue, stamp: FieldStamp) {
        self.value = value
        self.stamp = stamp
    }
}
