import ContactSyncCore

/// Switchable misbehaviour. All faults combine; a value of nil or 0 switches one off.
/// Windows (`failForMilliseconds`, `dropForMilliseconds`) start when the faults are set.
public struct SimFaults: Sendable, Equatable {
    /// Added to every API call before it is answered (a non-blocking sleep).
    public var latencyMilliseconds: Int
    /// Every API call is answered with this status (e.g. 503) while the window lasts.
    public var failStatus: Int?
    /// Length of the `failStatus` window; nil = until the faults change.
    public var failForMilliseconds: Int?
    /// Token bucket per API key: sustained rate, with a burst of one second's worth.
    public var rateLimitPerSecond: Double?
    /// The `Retry-After` a 429 announces.
    public var retryAfterSeconds: Int
    /// Sent verbatim as a 429's `Retry-After` instead of `retryAfterSeconds`
    /// (e.g. an HTTP date in the year 9999); early requests are still counted
    /// against `retryAfterSeconds`.
    public var retryAfterHeader: String?
    /// For this long every API call's connection is closed without any response.
    public var dropForMilliseconds: Int?
    /// Every n-th API call (counted from when the faults are set) is answered 503.
    public var failEveryNth: Int?
    /// Upsert entries with these external ids are refused inside a 200
    /// (`"errors": [{"external_id", "message"}]`) and not stored; the rest are stored.
    public var entryErrorIDs: Set<String>
    /// The `message` of `failStatus` answers (nil: a stock text). Lets a test
    /// play a careless server that echoes what it was sent.
    public var failMessage: String?
    /// Added after an upsert is stored, before it is answered: the contacts are
    /// stored although the caller may never hear so (a reply lost on its way back).
    public var responseDelayMilliseconds: Int

    public init(
        latencyMilliseconds: Int = 0, failStatus: Int? = nil, failForMilliseconds: Int? = nil,
        rateLimitPerSecond: Double? = nil, retryAfterSeconds: Int = 1, dropForMilliseconds: Int? = nil,
        failEveryNth: Int? = nil, entryErrorIDs: Set<String> = [], retryAfterHeader: String? = nil,
        failMessage: String? = nil, responseDelayMilliseconds: Int = 0
    ) {
        self.latencyMilliseconds = latencyMilliseconds
        self.failStatus = failStatus
        self.failForMilliseconds = failForMilliseconds
        self.rateLimitPerSecond = rateLimitPerSecond
        self.retryAfterSeconds = retryAfterSeconds
        self.dropForMilliseconds = dropForMilliseconds
        self.failEveryNth = failEveryNth
        self.entryErrorIDs = entryErrorIDs
        self.retryAfterHeader = retryAfterHeader
        self.failMessage = failMessage
        self.responseDelayMilliseconds = responseDelayMilliseconds
    }

    public static let none = SimFaults()
}

extension SimFaults {
    struct DecodingError: Error, Equatable {
        var message: String
    }

    /// Reads the body of `POST /_sim/faults`. The body replaces the whole fault set:
    /// `{}` switches everything off.
    init(json: JSONValue) throws(DecodingError) {
        guard let fields = json.objectValue else { throw DecodingError(message: "faults must be a JSON object") }
        let known: Set<String> = [
            "latency_ms", "fail_status", "fail_for_ms", "rate_limit_per_second", "retry_after_seconds",
            "drop_for_ms", "fail_every_nth", "entry_error_ids", "retry_after_header", "fail_message",
            "response_delay_ms",
        ]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw DecodingError(message: "unknown fault \(unknown)")
        }
        func integer(_ key: String, range: ClosedRange<Int>) throws(DecodingError) -> Int? {
            switch fields[key] {
            case nil, .null?: return nil
            case .number(let value)?:
                guard value == value.rounded(), let integer = Int(exactly: value), range.contains(integer) else {
                    throw DecodingError(message: "\(key) must be an integer in \(range)")
                }
                return integer
            default: throw DecodingError(message: "\(key) must be an integer in \(range)")
            }
        }
        self.init()
        latencyMilliseconds = try integer("latency_ms", range: 0...600_000) ?? 0
        failStatus = try integer("fail_status", range: 100...599)
        failForMilliseconds = try integer("fail_for_ms", range: 0...86_400_000)
        retryAfterSeconds = try integer("retry_after_seconds", range: 0...86_400) ?? 1
        dropForMilliseconds = try integer("drop_for_ms", range: 0...86_400_000)
        failEveryNth = try integer("fail_every_nth", range: 0...1_000_000_000)
        responseDelayMilliseconds = try integer("response_delay_ms", range: 0...600_000) ?? 0
        switch fields["rate_limit_per_second"] {
        case nil, .null?: rateLimitPerSecond = nil
        case .number(let rate)? where rate >= 0: rateLimitPerSecond = rate
        default: throw DecodingError(message: "rate_limit_per_second must be a number >= 0")
        }
        switch fields["retry_after_header"] {
        case nil, .null?: retryAfterHeader = nil
        case .string(let text)? where !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }): retryAfterHeader = text
        default: throw DecodingError(message: "retry_after_header must be a string without control characters")
        }
        switch fields["entry_error_ids"] {
        case nil, .null?: entryErrorIDs = []
        case .array(let ids)?:
            var collected: Set<String> = []
            for id in ids {
                guard let text = id.stringValue else { throw DecodingError(message: "entry_error_ids must hold strings") }
                collected.insert(text)
            }
            entryErrorIDs = collected
        default: throw DecodingError(message: "entry_error_ids must be an array of strings")
        }
        switch fields["fail_message"] {
        case nil, .null?: failMessage = nil
        case .string(let text)?: failMessage = text
        default: throw DecodingError(message: "fail_message must be a string")
        }
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("latency_ms")
        writer.number(latencyMilliseconds)
        writer.key("fail_status")
        if let failStatus { writer.number(failStatus) } else { writer.null() }
        writer.key("fail_for_ms")
        if let failForMilliseconds { writer.number(failForMilliseconds) } else { writer.null() }
        writer.key("rate_limit_per_second")
        if let rateLimitPerSecond { writer.number(rateLimitPerSecond) } else { writer.null() }
        writer.key("retry_after_seconds")
        writer.number(retryAfterSeconds)
        writer.key("retry_after_header")
        if let retryAfterHeader { writer.string(retryAfterHeader) } else { writer.null() }
        writer.key("drop_for_ms")
        if let dropForMilliseconds { writer.number(dropForMilliseconds) } else { writer.null() }
        writer.key("fail_every_nth")
        if let failEveryNth { writer.number(failEveryNth) } else { writer.null() }
        writer.key("entry_error_ids")
        writer.beginArray()
        for id in entryErrorIDs.sorted() { writer.string(id) }
        writer.endArray()
        writer.key("fail_message")
        if let failMessage { writer.string(failMessage) } else { writer.null() }
        writer.key("response_delay_ms")
        writer.number(responseDelayMilliseconds)
        writer.endObject()
    }
}
