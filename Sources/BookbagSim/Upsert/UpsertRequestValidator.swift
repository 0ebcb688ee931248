import ContactSyncCore

/// Turns a parsed upsert body into validated entries, or refuses the whole request
/// (contracts section 2: one bad entry refuses the request).
struct UpsertRequestValidator {
    static let maximumEntries = 1000

    let attributes: [String: SimAttributeDefinition]

    /// The entries array of `{"users": [...]}` or its alias `{"contacts": [...]}`.
    static func entries(of body: JSONValue) throws(UpsertRejection) -> [JSONValue] {
        guard let root = body.objectValue,
            let entries = (root["users"] ?? root["contacts"])?.arrayValue,
            !entries.isEmpty
        else { throw .invalidRequestData }
        guard entries.count <= maximumEntries else { throw .tooManyContacts }
        return entries
    }

    func validate(_ entries: [JSONValue]) throws(UpsertRejection) -> [ContactEntry] {
        var validated: [ContactEntry] = []
        validated.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            validated.append(try validate(entry, index: index))
        }
        return validated
    }

    private func validate(_ received: JSONValue, index: Int) throws(UpsertRejection) -> ContactEntry {
        guard let fields = received.objectValue else {
            throw .invalidContact("at index \(index)", "entry must be an object")
        }
        guard let externalIDValue = fields["external_id"] else {
            throw .invalidContact("at index \(index)", "external_id is required")
        }
        guard let externalID = externalIDValue.stringValue else {
            throw .invalidContact("at index \(index)", "external_id must be a string")
        }
        guard SimContact.isValidExternalID(externalID) else {
            throw .invalidContact(externalID, "external_id must match ^[a-zA-Z0-9._-]{1,128}$")
        }
        var entry = ContactEntry(externalID: externalID)
        var unknownFields: [String] = []
        // One pass with a switch: cheaper than a hash lookup per known field.
        for (field, value) in fields {
            switch field {
            case "external_id": continue
            case "name": entry.name = try stringChange(value, field: field, externalID: externalID)
            case "email":
                entry.email = try stringChange(value, field: field, externalID: externalID)
                if case .set(let text) = entry.email, !ContactFieldFormat.isValidEmail(text) {
                    throw .invalidContact(externalID, "email is not a valid email address")
                }
            case "phonenumber":
                entry.phonenumber = try stringChange(value, field: field, externalID: externalID)
                if case .set(let text) = entry.phonenumber, !ContactFieldFormat.isValidPhone(text) {
                    throw .invalidContact(externalID, "phonenumber is not a valid phone number")
                }
            case "stripe_accounts":
                switch value {
                case .null: entry.stripeAccounts = .cleared
                case .array(let accounts): entry.stripeAccounts = .set(.array(accounts))
                default:
                    throw .invalidContact(
                        externalID, "stripe_accounts must be an array or null, not \(value.typeName)")
                }
            case "custom_attributes":
                guard let attributes = value.objectValue else {
                    throw .invalidContact(externalID, "custom_attributes must be an object")
                }
                try validateAttributes(attributes, externalID: externalID)
                entry.customAttributes = attributes
            default:
                unknownFields.append(field)
            }
        }
        if !unknownFields.isEmpty {
            throw .invalidContact(externalID, "unknown field \(unknownFields.sorted().joined(separator: ", "))")
        }
        return entry
    }

    private func validateAttributes(
        _ values: [String: JSONValue], externalID: String
    ) throws(UpsertRejection) {
        var firstUndefined: String?
        var firstInvalid: UpsertRejection?
        for (name, value) in values {
            guard let definition = attributes[name] else {
                if firstUndefined.map({ name < $0 }) ?? true { firstUndefined = name }
                continue
            }
            if firstInvalid == nil, let problem = problem(with: value, for: definition) {
                firstInvalid = .invalidContact(externalID, problem)
            }
        }
        // Undefined attributes are answered first (422), whatever else is wrong.
        if let firstUndefined { throw .unknownAttribute(firstUndefined) }
        if let firstInvalid { throw firstInvalid }
    }

    /// Why `value` does not fit the definition, or nil when it does.
    private func problem(with value: JSONValue, for definition: SimAttributeDefinition) -> String? {
        let name = definition.name
        switch value {
        case .null: return nil
        case .array, .object: return "custom attribute \(name) must be a string, number, boolean or null"
        default: break
        }
        if definition.archived { return "custom attribute \(name) is archived and can only be set to null" }
        let fits =
            switch (definition.type, value) {
            case (.text, .string), (.number, .number), (.boolean, .bool): true
            case (.date, .string(let text)): RFC3339DateTime(text) != nil
            default: false
            }
        if fits { return nil }
        let expected = definition.type == .date ? "an RFC 3339 date-time string" : "a \(definition.type.rawValue)"
        return "custom attribute \(name) must be \(expected)"
    }

    private func stringChange(
        _ value: JSONValue, field: String, externalID: String
    ) throws(UpsertRejection) -> FieldChange<String> {
        switch value {
        case .null: return .cleared
        case .string(let text): return .set(text)
        default: throw .invalidContact(externalID, "\(field) must be a string or null, not \(value.typeName)")
        }
    }
}
