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
    /// The latest `occurred_at` of an event folded into this field with another
    /// value (or possibly another: it may over-state, never under-state); nil
    /// when every event carried `value`. A replica that died after Bookbag
    /// stored its upsert but before that upsert's clocks were written may have
    /// left such a value in Bookbag, so the clocks' digest cannot vouch for
    /// `value` when this is at or after the stored clock (see `ClockReconciler`).
    public var divergedAt: Timestamp?

    public init(value: AttributeValue, stamp: FieldStamp, divergedAt: Timestamp? = nil) {
        self.value = value
        self.stamp = stamp
        self.divergedAt = divergedAt
    }

    /// Folds in another event's value: the greater stamp wins, and a losing or
    /// replaced value that differs moves `divergedAt`.
    mutating func offer(_ other: AttributeValue, stamp otherStamp: FieldStamp) {
        if stamp < otherStamp {
            // Kept over-stated: earlier divergences may equal the new value.
            if other != value { divergedAt = Self.later(divergedAt, stamp.occurredAt) }
            value = other
            stamp = otherStamp
        } else if other != value {
            divergedAt = Self.later(divergedAt, otherStamp.occurredAt)
        }
    }

    /// An older login's time, held as milliseconds: another value unless both
    /// fall in the same millisecond (a fuzzer found the times 1 µs apart).
    mutating func noteOtherLoginTime(at occurredAt: Timestamp) {
        guard occurredAt.millisecondsSinceEpoch != stamp.occurredAt.millisecondsSinceEpoch else { return }
        divergedAt = Self.later(divergedAt, occurredAt)
    }

    private static func later(_ a: Timestamp?, _ b: Timestamp) -> Timestamp {
        guard let a else { return b }
        return a < b ? b : a
    }
}
