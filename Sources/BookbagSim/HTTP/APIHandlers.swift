import ContactSyncCore
import Hummingbird

/// The in-scope API calls, once faults, the key and the chatbot have been checked.
struct APIHandlers: Sendable {
    let state: BookbagSimState
    let maximumBodyBytes: Int

    /// `context.admission` carries the upsert's entry-error ids and response delay.
    func respond(_ route: SimRoute, to request: Request, context: SimRequestContext) async throws -> Response {
        var request = request
        let resource = context.parameters.get("resource") ?? ""
        switch route {
        case .upsertContacts:
            let response = await upsertContacts(&request, refusedIDs: context.admission?.entryErrorIDs ?? [])
            if let delay = context.admission?.responseDelayMilliseconds, delay > 0 {
                try await Task.sleep(for: .milliseconds(delay))
            }
            return response
        case .getContact: return getContact(resource)
        case .listAttributes: return listAttributes()
        case .createAttribute: return await createAttribute(&request)
        case .updateAttribute: return await updateAttribute(resource, &request)
        case .unknown: return SimResponses.notFound
        }
    }

    // MARK: Contacts

    func upsertContacts(_ request: inout Request, refusedIDs: Set<String>) async -> Response {
        guard let buffer = await request.collectBody(limit: maximumBodyBytes) else {
            return SimResponses.message(413, "Request body too large")
        }
        let body = buffer.withUnsafeReadableBytes { try? UpsertBody.parse($0) }
        let parsed = body?.root
        let fields = parsed?.objectValue
        let arrayKey = fields?["users"] != nil ? "users" : "contacts"
        let received = ReceivedEntries(
            values: fields?[arrayKey]?.arrayValue ?? [], rawJSON: body?.rawEntries[arrayKey] ?? [])
        let validated = Result { () throws(UpsertRejection) -> [ContactEntry] in
            guard let parsed else { throw .invalidRequestData }
            let entries = try UpsertRequestValidator.entries(of: parsed)
            let validator = UpsertRequestValidator(attributes: state.attributeDefinitions())
            return try validator.validate(entries)
        }
        let result = state.upsert(received: received, validated: validated, refusedIDs: refusedIDs)
        if case .failure(let rejection) = validated {
            return SimResponses.message(rejection.status, rejection.message)
        }
        var writer = JSONWriter(capacity: 96 + result.entryErrors.count * 96)
        writer.beginObject()
        writer.key("message")
        writer.string("Contacts upserted")
        writer.key("data")
        writer.beginObject()
        writer.key("created")
        writer.number(result.created)
        writer.key("updated")
        writer.number(result.updated)
        writer.endObject()
        if !result.entryErrors.isEmpty {
            writer.key("errors")
            writer.beginArray()
            for error in result.entryErrors {
                writer.beginObject()
                writer.key("external_id")
                writer.string(error.externalID)
                writer.key("message")
                writer.string(error.message)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return SimResponses.json(200, writer.bytes)
    }

    func getContact(_ externalID: String) -> Response {
        guard let contact = state.contact(externalID) else { return SimResponses.notFound }
        return SimResponses.data(200, message: "ok") { contact.write(to: &$0) }
    }

    // MARK: Custom attributes

    func listAttributes() -> Response {
        let definitions = state.attributes()
        return SimResponses.data(200, message: "ok", capacity: 64 + definitions.count * 96) { writer in
            writer.beginArray()
            for definition in definitions { definition.write(to: &writer) }
            writer.endArray()
        }
    }

    func createAttribute(_ request: inout Request) async -> Response {
        guard let fields = await request.jsonBody(limit: maximumBodyBytes)?.objectValue else {
            return SimResponses.invalidRequestData
        }
        guard let name = fields["name"]?.stringValue, SimAttributeDefinition.isValidName(name) else {
            return SimResponses.message(400, "Invalid attribute name")
        }
        let type: SimAttributeType
        switch fields["type"] {
        case nil, .null?: type = .text
        case .string(let text)?:
            guard let known = SimAttributeType(rawValue: text) else {
                return SimResponses.message(400, "Invalid attribute type")
            }
            type = known
        default: return SimResponses.message(400, "Invalid attribute type")
        }
        guard let label = optionalString(fields["label"]), let description = optionalString(fields["description"]),
            let archived = optionalBool(fields["archived"])
        else { return SimResponses.invalidRequestData }
        let definition = SimAttributeDefinition(
            name: name, type: type, label: label, description: description, archived: archived ?? false)
        guard case .success = state.createAttribute(definition) else {
            return SimResponses.message(409, "Attribute already exists")
        }
        return SimResponses.data(201, message: "Attribute created") { definition.write(to: &$0) }
    }

    func updateAttribute(_ name: String, _ request: inout Request) async -> Response {
        guard let existing = state.attributeDefinitions()[name] else { return SimResponses.notFound }
        guard let fields = await request.jsonBody(limit: maximumBodyBytes)?.objectValue else {
            return SimResponses.invalidRequestData
        }
        // Name and type are fixed once created; repeating the same values is harmless.
        if let newName = fields["name"], newName != .string(existing.name) {
            return SimResponses.message(400, "Attribute name cannot be changed")
        }
        if let newType = fields["type"], newType != .string(existing.type.rawValue) {
            return SimResponses.message(400, "Attribute type cannot be changed")
        }
        guard let label = optionalString(fields["label"]), let archived = optionalBool(fields["archived"]) else {
            return SimResponses.invalidRequestData
        }
        let description: FieldChange<String>
        switch fields["description"] {
        case nil: description = .unchanged
        case .null?: description = .cleared
        case .string(let text)?: description = .set(text)
        default: return SimResponses.invalidRequestData
        }
        let result = state.updateAttribute(name: name, label: label, description: description, archived: archived)
        guard case .success(let updated) = result else { return SimResponses.notFound }
        return SimResponses.data(200, message: "Attribute updated") { updated.write(to: &$0) }
    }

    /// `.some(nil)` for absent or null, `.some(text)` for a string, nil (invalid) otherwise.
    private func optionalString(_ value: JSONValue?) -> String?? {
        switch value {
        case nil, .null?: .some(nil)
        case .string(let text)?: .some(text)
        default: nil
        }
    }

    /// `.some(nil)` for absent or null, `.some(flag)` for a boolean, nil (invalid) otherwise.
    private func optionalBool(_ value: JSONValue?) -> Bool?? {
        switch value {
        case nil, .null?: .some(nil)
        case .bool(let flag)?: .some(flag)
        default: nil
        }
    }
}
