/// One record of the results topic: a contact's upsert decision (contracts section 3).
public struct ResultRecord: Sendable {
    public static let schema = "contact-sync.result.v1"

    /// Nil for a record whose external_id could not be read.
    public var externalID: String?
    public var status: SyncStatus
    public var chatbotID: String
    public var eventIDs: [String]
    public var sources: [RecordSource]
    public var attempts: Int
    public var httpStatus: Int?
    public var error: SyncError?
    public var ignoredAttributes: [String]
    /// Why an `unchanged` contact needed no upsert (`older_than_stored`,
    /// `already_stored`); nil for the other statuses.
    public var reason: String?
    public var decidedAt: Timestamp

    public init(
        externalID: String?, status: SyncStatus, chatbotID: String, eventIDs: [String], sources: [RecordSource],
        attempts: Int, httpStatus: Int? = nil, error: SyncError? = nil, ignoredAttributes: [String] = [],
        reason: String? = nil, decidedAt: Timestamp
    ) {
        self.externalID = externalID
        self.status = status
        self.chatbotID = chatbotID
        self.eventIDs = eventIDs
        self.sources = sources
        self.attempts = attempts
        self.httpStatus = httpStatus
        self.error = error
        self.ignoredAttributes = ignoredAttributes
        self.reason = reason
        self.decidedAt = decidedAt
    }

    /// The record's JSON, keys in the contract's order, `null` where absent.
    public func jsonBytes() -> [UInt8] {
        var json = JSONWriter(capacity: 320 + eventIDs.count * 24 + sources.count * 64)
        json.beginObject()
        json.key(literal: "schema")
        json.string(Self.schema)
        json.key(literal: "external_id")
        json.string(externalID)
        json.key(literal: "status")
        json.string(status.rawValue)
        json.key(literal: "chatbot_id")
        json.string(chatbotID)
        json.key(literal: "event_ids")
        json.stringArray(eventIDs)
        json.key(literal: "sources")
        json.beginArray()
        for source in sources { json.recordSource(source) }
        json.endArray()
        json.key(literal: "attempts")
        json.number(attempts)
        json.key(literal: "http_status")
        json.number(httpStatus)
        json.key(literal: "error")
        json.syncError(error)
        json.key(literal: "ignored_attributes")
        json.stringArray(ignoredAttributes)
        json.key(literal: "reason")
        json.string(reason)
        json.key(literal: "decided_at")
        json.plainString { decidedAt.appendRFC3339Millis(to: &$0) }
        json.endObject()
        return json.bytes
    }
}

extension ResultRecord {
    /// The record as JSON of at most `maxBytes` each: one when it fits,
    /// otherwise several records of the same decision that share out its
    /// event_ids and sources (each event_id and source is in one of them, so
    /// every input record stays accounted for). Nil only when a record with a
    /// single event_id and source does not fit.
    public func split(toFit maxBytes: Int) -> [(record: ResultRecord, json: [UInt8])]? {
        let whole = jsonBytes()
        if whole.count <= maxBytes { return [(self, whole)] }
        guard eventIDs.count > 1 || sources.count > 1 else { return nil }
        var first = self
        var second = self
        if eventIDs.count > 1 {
            first.eventIDs = Array(eventIDs.prefix(eventIDs.count / 2))
            second.eventIDs = Array(eventIDs.dropFirst(eventIDs.count / 2))
        }
        // Each part names at least one source, as the schema requires.
        if sources.count > 1 {
            first.sources = Array(sources.prefix(sources.count / 2))
            second.sources = Array(sources.dropFirst(sources.count / 2))
        }
        guard let head = first.split(toFit: maxBytes), let tail = second.split(toFit: maxBytes) else { return nil }
        return head + tail
    }
}
