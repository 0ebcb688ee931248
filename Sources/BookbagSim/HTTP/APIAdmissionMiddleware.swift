import Hummingbird

/// Counts every API request (and any path no route matches) and applies the faults, the key
/// and the rate limit before the route runs; an unmatched path is answered with Bookbag's 404.
struct APIAdmissionMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let state: BookbagSimState

    /// Thrown after the connection was closed on purpose, so no response is written.
    struct SimulatedDrop: Error {}

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // Unmatched `/_sim/` paths also pass here; the ops endpoints are neither counted nor faulted.
        if request.uri.path == "/_sim" || request.uri.path.hasPrefix("/_sim/") { return SimResponses.notFound }
        let route = SimRoute(method: request.method, endpointPath: context.endpointPath)
        let admission = state.admit(key: context.bearerKey, isAuthorized: context.isAuthenticated)
        do {
            let response = try await answer(request, context: context, admission: admission, next: next)
            state.finish(route: route, status: response.status.code)
            return response
        } catch {
            state.finish(route: route, status: nil)
            throw error
        }
    }

    private func answer(
        _ request: Request, context: Context, admission: BookbagSimState.Admission,
        next: (Request, Context) async throws -> Response
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
        var context = context
        context.admission = admission
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return SimResponses.notFound  // the router found no route
        }
    }
}
