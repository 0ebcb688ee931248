import ContactSyncCore

/// One Kafka record of synthetic store traffic.
public struct GeneratedRecord: Sendable {
    public enum Topic: Sendable, Hashable {
        case profileChanged, login

        /// The service's default topic name (contracts section 1).
        public var defaultName: String {
            switch self {
            case .profileChanged: "store.customer.profile-changed"
            case .login: "store.customer.login"
            }
        }
    }

    public var topic: Topic
    /// The external_id's bytes (bad records may carry odd keys).
    public var key: [UInt8]
    /// JSON per contracts section 1, or deliberately bad bytes.
    public var value: [UInt8]
    /// nil only when the record is malformed beyond reading (not JSON, or no string event_id).
    public var eventID: String?
    /// The intended customer; nil when the record carries no valid external_id.
    public var externalID: String?
    public var isBad: Bool
    /// What `value` says, for good records (nil for bad ones): the oracle folds
    /// it, and decoder tests can compare their output with it.
    public var event: StoreEvent?

    /// A good record carrying `event`, with occurred_at in UTC.
    public init(event: StoreEvent) {
        self.init(event: event, occurredAtOffsetMinutes: 0, extraFields: [])
    }

    /// A good record; `occurredAtOffsetMinutes` writes occurred_at in that UTC offset
    /// (same instant), `extraFields` adds unknown string fields the service must ignore.
    init(event: StoreEvent, occurredAtOffsetMinutes: Int, extraFields: [(String, String)]) {
        topic = event.kind == .login ? .login : .profileChanged
        key = Array(event.externalID.utf8)
        value = EventEncoding.json(
            for: event, occurredAt: EventEncoding.rfc3339(event.occurredAt, offsetMinutes: occurredAtOffsetMinutes),
            extraFields: extraFields)
        eventID = event.eventID
        externalID = event.externalID
        isBad = false
        self.event = event
    }

    /// A deliberately bad record.
    init(badOn topic: Topic, key: [UInt8], value: [UInt8], eventID: String?, externalID: String?) {
        self.topic = topic
        self.key = key
        self.value = value
        self.eventID = eventID
        self.externalID = externalID
        isBad = true
        event = nil
    }
}

/// Writes store events as the producers do (contracts section 1).
enum EventEncoding {
    /// `occurredAt` is passed as text so bad-record variants can swap it.
    static func json(
        for event: StoreEvent, occurredAt: String, extraFields: [(String, String)] = [],
        type: String? = nil
    ) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("type", type ?? event.kind.rawValue)
        json.member("event_id", event.eventID)
        json.member("occurred_at", occurredAt)
        json.member("external_id", event.externalID)
        // A login carries nothing else (the service would ignore it as unknown fields).
        if event.kind == .profileChanged {
            json.member("email", event.email)
            json.member("name", event.name)
            json.member("phone", event.phone)
        }
        if event.kind == .profileChanged, !event.customAttributes.isEmpty {
            json.key("custom_attributes")
            json.object { for (name, value) in event.customAttributes { $0.member(name, value) } }
        }
        for (name, value) in extraFields { json.member(name, value) }
        json.endObject()
        return json.bytes
    }

    /// RFC 3339 with milliseconds in the given UTC offset, e.g. `2026-11-24T12:15:00.123+02:00`.
    static func rfc3339(_ instant: Timestamp, offsetMinutes: Int) -> String {
        if offsetMinutes == 0 { return instant.rfc3339Millis }
        let shifted = Timestamp(
            nanosecondsSinceEpoch: instant.nanosecondsSinceEpoch + Int64(offsetMinutes) * 60_000_000_000)
        let local = shifted.rfc3339Millis.dropLast()  // the "Z"
        let magnitude = abs(offsetMinutes)
        let hours = magnitude / 60
        let minutes = magnitude % 60
        return local + (offsetMinutes < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + String(hours) + ":"
            + (minutes < 10 ? "0" : "") + String(minutes)
    }
}
