import Hummingbird

/// Answers `/api/v1/...`: faults first, then the key, its scope and the route.
struct APIResponder: Sendable {
    let state: BookbagSimState
    let configuration: BookbagSimConfiguration

    /// Thrown after the connection was closed on purpose, so no response is written.
    struct SimulatedDrop: Error {}

    func respond(to request: Request, context: SimRequestContext) async throws -> Response {
        let target = APITarget(method: request.method, path: request.uri.path)
        let presentedKey = request.bearerKey
        let decision = state.beginAPIRequest(key: presentedKey)
        do {
            let response = try await answer(
                request, target: target, presentedKey: presentedKey, decision: decision, context: context)
            state.endAPIRequest(route: target.route, status: response.status.code)
            return response
        } catch {
            state.endAPIRequest(route: target.route, status: nil)
            throw error
        }
    }

    private func answer(
        _ request: Request, target: APITarget, presentedKey: String?, decision: FaultState.Decision,
        context: SimRequestContext
    ) async throws -> Response {
        let latency = state.latencyMilliseconds()
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
        switch decision {
        case .proceed: break
        case .fail(let status): return SimResponses.simulatedFailure(status: status)
        case .drop:
            // Close without a response; Hummingbird's attempt to answer then fails on the closed channel.
            try? await context.channel.close()
            throw SimulatedDrop()
        }
        guard let key = presentedKey, key == configuration.apiKey else { return SimResponses.unauthorized }
        if let retryAfter = state.rateLimit(key: key) {
            return SimResponses.tooManyRequests(retryAfterSeconds: retryAfter)
        }
        guard let chatbotID = target.chatbotID else { return SimResponses.notFound }
        guard chatbotID == configuration.chatbotID else {
            return chatbotID == configuration.otherChatbotID ? SimResponses.forbidden : SimResponses.notFound
        }
        let handlers = APIHandlers(state: state, maximumBodyBytes: configuration.maximumBodyBytes)
        var request = request
        switch target.route {
        case .upsertContacts: return await handlers.upsertContacts(&request)
        case .getContact: return handlers.getContact(target.resource ?? "")
        case .listAttributes: return handlers.listAttributes()
        case .createAttribute: return await handlers.createAttribute(&request)
        case .updateAttribute: return await handlers.updateAttribute(target.resource ?? "", &request)
        case .unknown: return SimResponses.notFound
        }
    }
}
