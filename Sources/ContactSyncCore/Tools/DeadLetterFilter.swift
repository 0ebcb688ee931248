/// Which dead letters `contact-sync dead-letters replay` takes: by error code,
/// by when they were decided, by source topic. Empty sets take everything.
public struct DeadLetterFilter: Sendable, Equatable {
    public var codes: Set<String> = []
    public var since: Timestamp?
    public var until: Timestamp?
    public var topics: Set<String> = []

    public init(codes: Set<String> = [], since: Timestamp? = nil, until: Timestamp? = nil, topics: Set<String> = []) {
        self.codes = codes
        self.since = since
        self.until = until
        self.topics = topics
    }

    /// `until` is exclusive, so consecutive windows do not overlap.
    public func matches(code: String, decidedAt: Timestamp?, topic: String) -> Bool {
        if !codes.isEmpty && !codes.contains(code) { return false }
        if !topics.isEmpty && !topics.contains(topic) { return false }
        if let since, decidedAt.map({ $0 < since }) ?? true { return false }
        if let until, decidedAt.map({ $0 >= until }) ?? true { return false }
        return true
    }

    /// A stable name for this filter, so that a replay's progress (its
    /// consumer group) belongs to one filter: the same filter resumes, another starts afresh.
    public var fingerprint: String {
        let text = [
            codes.sorted().joined(separator: ","), since.map(\.rfc3339Millis) ?? "", until.map(\.rfc3339Millis) ?? "",
            topics.sorted().joined(separator: ","),
        ].joined(separator: "|")
        return String(SHA256.hexDigest(Array(text.utf8)).prefix(12))
    }
}
