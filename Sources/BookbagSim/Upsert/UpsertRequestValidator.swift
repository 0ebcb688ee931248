/// Turns a parsed upsert body into validated entries, or refuses the whole request
/// (contracts section 2: one bad entry refuses the request).
struct UpsertRequestValidator {
    static let maximumEntries = 1000
    private static let knownFields: Set<String> = [
        "external_id", "name", "email", "phonenumber", "stripe_accounts", "custom_attributes",
    ]

    let attributes: [String: SimAttributeDefinition]

    /// The entries array of `{"users": [...]}` or its alias `{"contacts": [...]}`.
    static func entries(of body: SimJSONValue) throws(UpsertRejection) -> [SimJSONValue] {
        guard let root = body.objectValue,
            let entries = (root["users"] ?? root["contacts"])?.arrayValue,
            !entries.isEmpty
        else { throw .invalidRequestData }
        guard entries.count <= maximumEntries else { throw .tooManyContacts }
        return entries
    }

    func validate(_ entries: [SimJSONValue]) throws(UpsertRejection) -> [ContactEntry] {
        var validated: [ContactEntry] = []
        validated.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            validated.append(try validate(entry, index: index))
        }
        return validated
    }

    private func validate(_ received: SimJSONValue, index: Int) throws(UpsertRejection) -> ContactEntry {
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
        if fields.keys.contains(where: { !Self.knownFields.contains($0) }) {
            let unknown = fields.keys.filter { !Self.knownFields.contains($0) }.sorted()
            throw .invalidContact(externalID, "unknown field \(unknown.joined(separator: ", "))")
        }
        var entry = ContactEntry(externalID: externalID, received: received)
        entry.name = try stringChange(fields["name"], field: "name", externalID: externalID)
        entry.email = try stringChange(fields["email"], field: "email", externalID: externalID)
        entry.phonenumber = try stringChange(fields["phonenumber"], field: "phonenumber", externalID: externalID)
        switch fields["stripe_accounts"] {
        case nil: break
        case .null: entry.stripeAccounts = .cleared
        case .array(let accounts): entry.stripeAccounts = .set(.array(accounts))
        case let other?:
            throw .invalidContact(externalID, "stripe_accounts must be an array or null, not \(other.typeName)")
        }
        if let attributesValue = fields["custom_attributes"] {
            guard let attributes = attributesValue.objectValue else {
                throw .invalidContact(externalID, "custom_attributes must be an object")
            }
            // Undefined attributes are answered first (422), whatever else is wrong.
            if attributes.keys.contains(where: { self.attributes[$0] == nil }) {
                let undefined = attributes.keys.filter { self.attributes[$0] == nil }.min()!
                throw .unknownAttribute(undefined)
            }
            for (name, value) in attributes {
                try validateAttribute(name: name, value: value, externalID: externalID)
            }
            entry.customAttributes = attributes
        }
        return entry
    }

    private func stringChange(
        _ value: SimJSONValue?, field: String, externalID: String
    ) throws(UpsertRejection) -> FieldChange<String> {
        switch value {
        case nil: return .unchanged
        case .null: return .cleared
        case .string(let text): return .set(text)
        case let other?: throw .invalidContact(externalID, "\(field) must be a string or null, not \(other.typeName)")
        }
    }

    private func validateAttribute(name: String, value: SimJSONValue, externalID: String) throws(UpsertRejection) {
        switch value {
        case .array, .object:
            throw .invalidContact(externalID, "custom attribute \(name) must be a string, number, boolean or null")
        default: break
        }
        guard let definition = attributes[name] else { throw .unknownAttribute(name) }  // checked before
        if value.isNull { return }
        if definition.archived {
            throw .invalidContact(externalID, "custom attribute \(name) is archived and can only be set to null")
        }
        let fits =
            switch (definition.type, value) {
            case (.text, .string), (.number, .number), (.boolean, .bool): true
            case (.date, .string(let text)): RFC3339.isValidDateTime(text)
            default: false
            }
        guard fits else {
            let expected = definition.type == .date ? "an RFC 3339 date-time string" : "a \(definition.type.rawValue)"
            throw .invalidContact(externalID, "custom attribute \(name) must be \(expected)")
        }
    }
}
