import ContactSyncCore

/// A custom attribute value as the contact should end up holding it.
public enum ExpectedValue: Sendable, Equatable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
}

/// A contact's final state; a cleared or never-set field is nil / absent.
public struct ExpectedContact: Sendable, Equatable {
    public var externalID: String
    public var email: String?
    public var name: String?
    public var phone: String?
    public var customAttributes: [String: ExpectedValue]

    public init(
        externalID: String, email: String? = nil, name: String? = nil, phone: String? = nil,
        customAttributes: [String: ExpectedValue] = [:]
    ) {
        self.externalID = externalID
        self.email = email
        self.name = name
        self.phone = phone
        self.customAttributes = customAttributes
    }
}

/// The oracle: folds good records into each contact's final state, field by
/// field, the value with the latest occurred_at winning (a tie goes to the
/// record applied later, as in contracts section 1). Bad records are ignored.
public struct ExpectedState: Sendable {
    private var folds: [String: Fold] = [:]

    public init() {}

    public mutating func apply(_ record: GeneratedRecord) {
        guard !record.isBad, let event = record.event else { return }
        let at = event.occurredAt
        folds[event.externalID, default: Fold()].apply(event, at: at)
    }

    public var contacts: [String: ExpectedContact] {
        var result = [String: ExpectedContact](minimumCapacity: folds.count)
        for (externalID, fold) in folds {
            result[externalID] = ExpectedContact(
                externalID: externalID, email: fold.email?.value, name: fold.name?.value,
                phone: fold.phone?.value,
                customAttributes: fold.attributes.compactMapValues(\.value))
        }
        return result
    }
}

/// A field's value (nil = cleared) and when it occurred.
private struct Stamped<Value: Sendable>: Sendable {
    var value: Value?
    var occurredAt: Timestamp
}

/// One contact's fields, each with the occurred_at of its winning value.
private struct Fold: Sendable {
    var email: Stamped<String>?
    var name: Stamped<String>?
    var phone: Stamped<String>?
    var attributes: [String: Stamped<ExpectedValue>] = [:]

    mutating func apply(_ event: StoreEvent, at: Timestamp) {
        switch event.kind {
        case .login:
            Self.stamp(&attributes["last_login_at"], .string(at.rfc3339Millis), at: at)
        case .profileChanged:
            Self.stamp(&email, event.email, at: at)
            Self.stamp(&name, event.name, at: at)
            Self.stamp(&phone, event.phone, at: at)
            for (attribute, value) in event.customAttributes {
                Self.stamp(&attributes[attribute], value.expected, at: at)
            }
        }
    }

    private static func stamp(_ field: inout Stamped<String>?, _ change: FieldChange<String>, at: Timestamp) {
        switch change {
        case .absent: return
        case .clear: Self.stamp(&field, nil, at: at)
        case .set(let value): Self.stamp(&field, value, at: at)
        }
    }

    private static func stamp<Value>(_ field: inout Stamped<Value>?, _ value: Value?, at: Timestamp) {
        if let current = field, current.occurredAt > at { return }
        field = Stamped(value: value, occurredAt: at)
    }
}

extension AttributeValue {
    /// nil for JSON null (the attribute is cleared).
    fileprivate var expected: ExpectedValue? {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .null: nil
        }
    }
}
