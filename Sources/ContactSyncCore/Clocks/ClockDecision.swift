/// What to do with a contact's update, given the clocks of what Bookbag holds.
public enum ClockDecision: Sendable, Equatable {
    /// Send the update, holding only the fields that still need storing.
    case send(ContactUpdate, refusedAsOlder: Int, advanced: ContactClocks)
    /// Nothing left to send.
    case unchanged(UnchangedReason, refusedAsOlder: Int, advanced: ContactClocks)

    /// Fields dropped because their `occurred_at` is older than the stored clock.
    public var refusedAsOlder: Int {
        switch self {
        case .send(_, let refused, _), .unchanged(_, let refused, _): return refused
        }
    }

    /// Clocks to merge into the cache and store although nothing is sent: fields
    /// dropped as already stored whose offered `occurred_at` is newer than the
    /// stored clock. Bookbag holds that value, so its clock moves forward, and a
    /// later value older than the offered one is refused. Empty most of the time.
    public var advanced: ContactClocks {
        switch self {
        case .send(_, _, let advanced), .unchanged(_, _, let advanced): return advanced
        }
    }
}

/// Why a contact needs no upsert (the result's reason for `unchanged`).
public enum UnchangedReason: String, Sendable, Equatable {
    /// At least one field was older than what Bookbag holds.
    case olderThanStored = "older_than_stored"
    /// Every field is already stored with this value (or the update had none).
    case alreadyStored = "already_stored"
}
