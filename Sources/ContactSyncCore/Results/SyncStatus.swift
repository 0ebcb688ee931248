/// A contact's status in a result record (contracts section 3).
public enum SyncStatus: String, Sendable {
    /// Bookbag stored the merged update.
    case synced
    /// The merged update equals what was last stored, so no call was made.
    case unchanged
    /// The input could not be used (bad record, invalid external_id, refused by Bookbag).
    case rejected
    /// It could not be stored and the service gave up under its policy.
    case failed
}
