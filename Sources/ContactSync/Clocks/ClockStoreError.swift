/// Why the clock store cannot be opened or used: names the path and what is
/// wrong, in words an operator can act on.
public struct ClockStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Not a SQLite file, or a SQLite file that is not a clock store.
        case notAStore
        /// A clock store that fails SQLite's integrity check or cannot be read.
        case damaged
        /// A clock store written by another version of contact-sync.
        case otherSchemaVersion
        /// A clock store restored from another changelog topic.
        case otherTopic
        /// Open in another process (or another `ClockStore` in this one).
        case inUse
        /// The file system or SQLite refused a read or write.
        case io
        /// Used after `close()`.
        case closed
    }

    public let kind: Kind
    public let path: String
    public let reason: String

    public var description: String { "clock store \(path): \(reason)" }

    /// What an operator can do about a store that cannot be used as it is.
    static let rebuildHint = "rebuild it from the changelog topic with `contact-sync clocks rebuild` (stop the replica first)"
}
