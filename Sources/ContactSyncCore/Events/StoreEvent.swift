/// One decoded, validated input event (contracts section 1).
public struct StoreEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case profileChanged = "profile_changed"
        case login
    }

    public var kind: Kind
    public var eventID: String
    public var occurredAt: Timestamp
    public var externalID: String
    /// `profile_changed` only; `.absent` for a login.
    public var email: FieldChange<String>
    public var name: FieldChange<String>
    public var phone: FieldChange<String>
    /// In the order they appeared in the event; names are unique.
    public var customAttributes: [(name: String, value: AttributeValue)]

    public init(
        kind: Kind, eventID: String, occurredAt: Timestamp, externalID: String,
        email: FieldChange<String> = .absent, name: FieldChange<String> = .absent,
        phone: FieldChange<String> = .absent,
        customAttributes: [(name: String, value: AttributeValue)] = []
    ) {
        self.kind = kind
        self.eventID = eventID
        self.occurredAt = occurredAt
        self.externalID = externalID
        self.email = email
        self.name = name
        self.phone = phone
        self.customAttributes = customAttributes
    }

    public static func == (a: StoreEvent, b: StoreEvent) -> Bool {
        a.kind == b.kind && a.eventID == b.eventID && a.occurredAt == b.occurredAt
            && a.externalID == b.externalID && a.email == b.email && a.name == b.name
            && a.phone == b.phone
            && a.customAttributes.map(\.name) == b.customAttributes.map(\.name)
            && a.customAttributes.map(\.value) == b.customAttributes.map(\.value)
    }
}

/// A field of an event: absent = leave unchanged, `null` = clear, else set.
public enum FieldChange<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case clear
    case set(Value)
}

/// A custom attribute value as JSON carries it.
public enum AttributeValue: Sendable, Equatable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// Where a Kafka record came from.
public struct RecordSource: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
