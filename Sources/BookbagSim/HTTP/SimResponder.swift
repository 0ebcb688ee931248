import Hummingbird

/// Sends `/_sim/...` to the ops endpoints and everything else to the simulated API.
struct SimResponder: HTTPResponder {
    typealias Context = SimRequestContext

    let api: APIResponder
    let ops: SimOpsResponder

    func respond(to request: Request, context: SimRequestContext) async throws -> Response {
        let path = request.uri.path
        if path == "/_sim" || path.hasPrefix("/_sim/") {
            return await ops.respond(to: request)
        }
        return try await api.respond(to: request, context: context)
    }
}
