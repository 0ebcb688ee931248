import ContactSyncCore
import Hummingbird

/// The unauthenticated test and ops endpoints under `/_sim/`. They are not counted in the stats
/// and no fault applies to them.
struct SimOpsRoutes: Sendable {
    let state: BookbagSimState
    let maximumBodyBytes: Int

    func add(to ops: RouterGroup<SimRequestContext>) {
        ops.get("health") { _, _ in SimResponses.json(200, Array(#"{"status":"ok"}"#.utf8)) }
        ops.get("contacts") { _, _ in allContacts() }
        ops.get("contacts/:externalID") { _, context in
            guard let contact = state.contact(context.parameters.get("externalID") ?? "") else {
                return SimResponses.notFound
            }
            var writer = JSONWriter()
            contact.write(to: &writer)
            return SimResponses.json(200, writer.bytes)
        }
        ops.get("attributes") { _, _ in
            var writer = JSONWriter()
            writer.object {
                $0.key("attributes")
                $0.array { for definition in state.attributes() { definition.write(to: &$0) } }
            }
            return SimResponses.json(200, writer.bytes)
        }
        ops.get("stats") { _, _ in
            var writer = JSONWriter(capacity: 1024)
            state.stats().write(to: &writer)
            return SimResponses.json(200, writer.bytes)
        }
        ops.get("upserts") { request, _ in upserts(request) }
        ops.get("faults") { _, _ in faultsResponse() }
        ops.post("faults") { request, _ in await setFaults(request) }
        ops.post("reset") { _, _ in
            state.reset()
            return SimResponses.message(200, "reset")
        }
    }

    private func allContacts() -> Response {
        let contacts = state.allContacts()
        var writer = JSONWriter(capacity: 32 + contacts.count * 200)
        writer.object {
            $0.key("contacts")
            $0.array { for contact in contacts { contact.write(to: &$0) } }
        }
        return SimResponses.json(200, writer.bytes)
    }

    private func upserts(_ request: Request) -> Response {
        guard let externalID = request.uri.queryParameters["external_id"].map(String.init) else {
            return SimResponses.message(400, "external_id query parameter required")
        }
        let records = state.upsertLog(for: externalID)
        var writer = JSONWriter(capacity: 64 + records.count * 256)
        writer.object {
            $0.key("external_id")
            $0.string(externalID)
            $0.key("upserts")
            $0.array { for record in records { record.write(to: &$0) } }
        }
        return SimResponses.json(200, writer.bytes)
    }

    private func setFaults(_ request: Request) async -> Response {
        var request = request
        guard let body = await request.jsonBody(limit: maximumBodyBytes) else { return SimResponses.invalidRequestData }
        do {
            state.setFaults(try SimFaults(json: body))
        } catch {
            return SimResponses.message(400, error.message)
        }
        return faultsResponse()
    }

    private func faultsResponse() -> Response {
        var writer = JSONWriter()
        state.faults().write(to: &writer)
        return SimResponses.json(200, writer.bytes)
    }
}
