import ContactSyncCore

/// The fate of one contact's folded update in a batch.
struct ContactDecision: Sendable {
    var update: ContactUpdate
    var status: SyncStatus
    var attempts: Int
    var httpStatus: Int?
    var error: SyncError?
    var ignoredAttributes: [String]
}

/// One folded update ready to send: the update, its request entry, and the
/// attributes left out of it.
struct PendingContact: Sendable {
    var update: ContactUpdate
    var entry: UpsertEntry
    var ignoredAttributes: [String]
}
