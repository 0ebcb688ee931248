/// The custom attributes known to exist in Bookbag, and the planning around
/// them: which to create before an upsert, and which values an upsert may carry.
public struct AttributeCatalog: Sendable {
    public var definitions: [String: AttributeDefinition]

    public init(definitions: [AttributeDefinition] = []) {
        self.definitions = [:]
        merge(definitions)
    }

    /// Adds or replaces definitions (e.g. after a list or a create).
    public mutating func merge(_ defs: [AttributeDefinition]) {
        for def in defs { definitions[def.name] = def }
    }

    /// Attributes the updates carry that Bookbag does not define yet and the
    /// policy wants created, each once, in order of first appearance (names
    /// sorted within an update). Without an allowlist the type comes from the
    /// update's value; a `null` value creates nothing. Invalid names are never
    /// created (Bookbag would refuse them); `admit` then leaves them out.
    public func definitionsToCreate(
        for updates: [ContactUpdate], policy: AttributePolicy
    ) -> [AttributeDefinition] {
        var planned: [AttributeDefinition] = []
        var plannedNames: Set<String> = []
        var undefined: [String] = []
        for update in updates {
            undefined.removeAll(keepingCapacity: true)
            for field in update.fields.keys {
                if let name = field.attributeName, definitions[name] == nil, !plannedNames.contains(name) {
                    undefined.append(name)
                }
            }
            if undefined.isEmpty { continue }
            undefined.sort()
            for name in undefined where AttributeDefinition.isValidName(name) {
                let type: AttributeType
                if let declared = policy.declaredType(of: name) {
                    type = declared
                } else if policy.infersTypes,
                    let value = update.fields[.attribute(name)]?.value,
                    let inferred = AttributeType.inferred(from: value)
                {
                    type = inferred
                } else {
                    continue
                }
                planned.append(AttributeDefinition(name: name, type: type))
                plannedNames.insert(name)
            }
        }
        return planned
    }

    /// The upsert entry for `update`. Custom attributes that are unlisted,
    /// undefined, archived, or whose value the definition's type does not
    /// accept are left out and named in `ignoredAttributes` (sorted). Dates are
    /// sent as UTC with milliseconds.
    public func admit(
        _ update: ContactUpdate, policy: AttributePolicy
    ) -> (entry: UpsertEntry, ignoredAttributes: [String]) {
        var entry = UpsertEntry(externalID: update.externalID)
        var ignored: [String] = []
        for (field, stamped) in update.fields {
            switch field {
            case .email: entry.email = Self.fieldChange(stamped.value)
            case .name: entry.name = Self.fieldChange(stamped.value)
            case .phone: entry.phoneNumber = Self.fieldChange(stamped.value)
            case .attribute(let name):
                if let value = admittedValue(stamped.value, of: name, policy: policy) {
                    entry.customAttributes.append((name: name, value: value))
                } else {
                    ignored.append(name)
                }
            }
        }
        entry.customAttributes.sort { $0.name < $1.name }
        ignored.sort()
        return (entry, ignored)
    }

    /// The value to send, or `nil` when the attribute must be left out.
    private func admittedValue(
        _ value: AttributeValue, of name: String, policy: AttributePolicy
    ) -> AttributeValue? {
        guard policy.allows(name), let def = definitions[name], !def.archived,
            def.type.accepts(value)
        else { return nil }
        if def.type == .date, case .string(let text) = value,
            let instant = Timestamp.parseRFC3339(text)
        {
            return .string(instant.rfc3339Millis)
        }
        return value
    }

    /// Email, name and phone are folded as `.string` or `.null`.
    private static func fieldChange(_ value: AttributeValue) -> FieldChange<String> {
        switch value {
        case .string(let text): return .set(text)
        case .null: return .clear
        case .number, .bool: return .absent  // never produced by the folder
        }
    }
}
