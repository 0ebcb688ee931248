import ContactSyncCore

/// What one upsert entry asks to do with a field.
enum FieldChange<Value: Sendable>: Sendable {
    /// The field was left out of the entry.
    case unchanged
    /// The field was `null`.
    case cleared
    case set(Value)

    func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .cleared: nil
        case .set(let value): value
        }
    }
}

/// One validated entry of an upsert request.
struct ContactEntry: Sendable {
    var externalID: String
    var name: FieldChange<String> = .unchanged
    var email: FieldChange<String> = .unchanged
    var phonenumber: FieldChange<String> = .unchanged
    var stripeAccounts: FieldChange<JSONValue> = .unchanged
    /// Merged key by key; a `null` value removes the key.
    var customAttributes: [String: JSONValue] = [:]
}

/// The entries array of an upsert body: parsed, and each entry's text as received.
struct ReceivedEntries: Sendable {
    var values: [JSONValue]
    var rawJSON: [String]
}

/// Why a whole upsert request is refused.
struct UpsertRejection: Error, Sendable, Equatable {
    var status: Int
    var message: String

    static let invalidRequestData = UpsertRejection(status: 400, message: "Invalid request data")
    static let tooManyContacts = UpsertRejection(status: 400, message: "Maximum 1000 contacts per request")

    static func invalidContact(_ name: String, _ reason: String) -> UpsertRejection {
        UpsertRejection(status: 400, message: "Invalid contact \(name): \(reason)")
    }

    static func unknownAttribute(_ name: String) -> UpsertRejection {
        UpsertRejection(status: 422, message: "Unknown custom attribute: \(name)")
    }
}
