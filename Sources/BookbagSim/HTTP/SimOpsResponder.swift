import ContactSyncCore
import Hummingbird

/// The unauthenticated test and ops endpoints under `/_sim/`. They are not counted in the stats
/// and no fault applies to them.
struct SimOpsResponder: Sendable {
    let state: BookbagSimState
    let maximumBodyBytes: Int

    func respond(to request: Request) async -> Response {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).dropFirst()
        switch (request.method, Array(segments)) {
        case (.get, ["health"]):
            return SimResponses.json(200, Array(#"{"status":"ok"}"#.utf8))
        case (.get, ["contacts"]):
            let contacts = state.allContacts()
            var writer = JSONWriter(capacity: 32 + contacts.count * 200)
            writer.beginObject()
            writer.key("contacts")
            writer.beginArray()
            for contact in contacts { contact.write(to: &writer) }
            writer.endArray()
            writer.endObject()
            return SimResponses.json(200, writer.bytes)
        case (.get, let path) where path.count == 2 && path[0] == "contacts":
            guard let contact = state.contact(String(path[1])) else { return SimResponses.notFound }
            var writer = JSONWriter()
            contact.write(to: &writer)
            return SimResponses.json(200, writer.bytes)
        case (.get, ["attributes"]):
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("attributes")
            writer.beginArray()
            for definition in state.attributes() { definition.write(to: &writer) }
            writer.endArray()
            writer.endObject()
            return SimResponses.json(200, writer.bytes)
        case (.get, ["stats"]):
            var writer = JSONWriter(capacity: 1024)
            state.stats().write(to: &writer)
            return SimResponses.json(200, writer.bytes)
        case (.get, ["upserts"]):
            guard let externalID = request.uri.queryParameters["external_id"].map(String.init) else {
                return SimResponses.message(400, "external_id query parameter required")
            }
            let records = state.upsertLog(for: externalID)
            var writer = JSONWriter(capacity: 64 + records.count * 256)
            writer.beginObject()
            writer.key("external_id")
            writer.string(externalID)
            writer.key("upserts")
            writer.beginArray()
            for record in records { record.write(to: &writer) }
            writer.endArray()
            writer.endObject()
            return SimResponses.json(200, writer.bytes)
        case (.get, ["faults"]):
            return faultsResponse()
        case (.post, ["faults"]):
            var request = request
            guard let body = await request.jsonBody(limit: maximumBodyBytes) else {
                return SimResponses.invalidRequestData
            }
            do {
                state.setFaults(try SimFaults(json: body))
            } catch {
                return SimResponses.message(400, error.message)
            }
            return faultsResponse()
        case (.post, ["reset"]):
            state.reset()
            return SimResponses.message(200, "reset")
        default:
            return SimResponses.notFound
        }
    }

    private func faultsResponse() -> Response {
        var writer = JSONWriter()
        state.faults().write(to: &writer)
        return SimResponses.json(200, writer.bytes)
    }
}
