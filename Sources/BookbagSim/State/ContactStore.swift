/// Contacts and attribute definitions of the one in-scope chatbot.
struct ContactStore {
    var contacts: [String: SimContact] = [:]
    var attributes: [String: SimAttributeDefinition]

    init(seededAttributes: [SimAttributeDefinition]) {
        attributes = Dictionary(seededAttributes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    struct UpsertOutcome {
        var created = 0
        var updated = 0
        /// Entries refused through `entryErrorIDs`, in request order.
        var entryErrors: [(externalID: String, message: String)] = []
    }

    static let entryErrorMessage = "Contact rejected by bookbag-sim (entry error mode)"

    /// Upserts validated entries in order; entries whose id is in `entryErrorIDs` are refused instead.
    mutating func upsert(_ entries: [ContactEntry], entryErrorIDs: Set<String>, now: Int) -> UpsertOutcome {
        var outcome = UpsertOutcome()
        for entry in entries {
            if !entryErrorIDs.isEmpty, entryErrorIDs.contains(entry.externalID) {
                outcome.entryErrors.append((entry.externalID, Self.entryErrorMessage))
                continue
            }
            // Mutated in place in the dictionary, so the contact's storage is not copied.
            if let index = contacts.index(forKey: entry.externalID) {
                outcome.updated += 1
                contacts.values[index].apply(entry, now: now)
            } else {
                outcome.created += 1
                var contact = SimContact(externalID: entry.externalID, createdAt: now, updatedAt: now)
                contact.apply(entry, now: now)
                contacts[entry.externalID] = contact
            }
        }
        return outcome
    }

    enum AttributeChangeError: Error, Equatable {
        case alreadyExists
        case notFound
    }

    mutating func create(_ definition: SimAttributeDefinition) throws(AttributeChangeError) {
        guard attributes[definition.name] == nil else { throw .alreadyExists }
        attributes[definition.name] = definition
    }

    /// Applies the fields present; name and type never change.
    mutating func update(
        name: String, label: String?, description: FieldChange<String>, archived: Bool?
    ) throws(AttributeChangeError) -> SimAttributeDefinition {
        guard var definition = attributes[name] else { throw .notFound }
        if let label { definition.label = label }
        definition.description = description.applied(to: definition.description)
        if let archived { definition.archived = archived }
        attributes[name] = definition
        return definition
    }
}

extension SimContact {
    /// Absent fields stay, `null` clears, custom attributes merge key by key (`null` removes).
    fileprivate mutating func apply(_ entry: ContactEntry, now: Int) {
        name = entry.name.applied(to: name)
        email = entry.email.applied(to: email)
        phonenumber = entry.phonenumber.applied(to: phonenumber)
        stripeAccounts = entry.stripeAccounts.applied(to: stripeAccounts)
        for (attribute, value) in entry.customAttributes {
            customAttributes[attribute] = value.isNull ? nil : value
        }
        updatedAt = now
    }
}
