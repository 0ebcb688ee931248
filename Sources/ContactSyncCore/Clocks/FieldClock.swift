/// What Bookbag holds for one field of one contact: the `occurred_at` of the
/// value last stored there and a digest of that value. The service never
/// stores a value older than the clock, and skips a value equal to it.
public struct FieldClock: Sendable, Equatable {
    public var occurredAt: Timestamp
    /// `ValueDigest.of` the stored value.
    public var digest: UInt64

    public init(occurredAt: Timestamp, digest: UInt64) {
        self.occurredAt = occurredAt
        self.digest = digest
    }

    /// The clock of a value as it is offered for storing.
    public init(of value: StampedValue) {
        self.init(occurredAt: value.stamp.occurredAt, digest: ValueDigest.of(value.value))
    }
}
