/// One record of the dead-letter topic: a copy of a `rejected` or `failed`
/// input record with the reason (contracts section 4).
public struct DeadLetterRecord: Sendable {
    public static let schema = "contact-sync.dead-letter.v1"

    public var source: RecordSource
    /// The original Kafka key and value, as consumed; nil when the record had none.
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var error: SyncError
    public var decidedAt: Timestamp
    public var externalID: String?
    public var eventIDs: [String]

    public init(
        source: RecordSource, key: [UInt8]?, value: [UInt8]?, error: SyncError, decidedAt: Timestamp,
        externalID: String? = nil, eventIDs: [String] = []
    ) {
        self.source = source
        self.key = key
        self.value = value
        self.error = error
        self.decidedAt = decidedAt
        self.externalID = externalID
        self.eventIDs = eventIDs
    }

    /// `{"schema","source":{"topic","partition","offset"},"key_base64","value_base64",
    /// "error":{"code","message"},"decided_at","external_id","event_ids"}`, `null` where absent.
    public func jsonBytes() -> [UInt8] {
        let payload = (key?.count ?? 0) + (value?.count ?? 0)
        var json = JSONWriter(capacity: 384 + payload / 3 * 4 + eventIDs.count * 24)
        json.beginObject()
        json.key("schema")
        json.string(Self.schema)
        json.key("source")
        json.recordSource(source)
        json.key("key_base64")
        if let key { json.base64String(key) } else { json.null() }
        json.key("value_base64")
        if let value { json.base64String(value) } else { json.null() }
        json.key("error")
        json.syncError(error)
        json.key("decided_at")
        json.string(decidedAt.rfc3339Millis)
        json.key("external_id")
        json.string(externalID)
        json.key("event_ids")
        json.stringArray(eventIDs)
        json.endObject()
        return json.bytes
    }
}
