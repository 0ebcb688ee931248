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
        let admission = state.admit(key: presentedKey, isAuthorized: presentedKey == configuration.apiKey)
        do {
            let response = try await answer(request, target: target, admission: admission, context: context)
            state.finish(route: target.route, status: response.status.code)
            return response
        } catch {
            state.finish(route: target.route, status: nil)
            throw error
        }
    }

    private func answer(
        _ request: Request, target: APITarget, admission: BookbagSimState.Admission, context: SimRequestContext
    ) async throws -> Response {
        if admission.latencyMilliseconds > 0 { try await Task.sleep(for: .milliseconds(admission.latencyMilliseconds)) }
        switch admission.outcome {
        case .proceed: break
        case .fail(let status): return SimResponses.simulatedFailure(status: status, message: admission.failMessage)
        case .drop:
            // Close without a response; Hummingbird's attempt to answer then fails on the closed channel.
            try? await context.channel.close()
            throw SimulatedDrop()
        case .unauthorized: return SimResponses.unauthorized
        case .rateLimited(let retryAfter): return SimResponses.tooManyRequests(retryAfter: retryAfter)
        }
        guard let chatbotID = target.chatbotID else { return SimResponses.notFound }
        guard chatbotID == configuration.chatbotID else {
            return chatbotID == configuration.otherChatbotID ? SimResponses.forbidden : SimResponses.notFound
        }
        let handlers = APIHandlers(state: state, maximumBodyBytes: configuration.maximumBodyBytes)
        var request = request
        switch target.route {
        case .upsertContacts:
            let response = await handlers.upsertContacts(&request, refusedIDs: admission.entryErrorIDs)
            if admission.responseDelayMilliseconds > 0 {
                try await Task.sleep(for: .milliseconds(admission.responseDelayMilliseconds))
            }
            return response
        case .getContact: return handlers.getContact(target.resource ?? "")
        case .listAttributes: return handlers.listAttributes()
        case .createAttribute: return await handlers.createAttribute(&request)
        case .updateAttribute: return await handlers.updateAttribute(target.resource ?? "", &request)
        case .unknown: return SimResponses.notFound
        }
    }
}
