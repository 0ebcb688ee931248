import Hummingbird

/// The key reaches one chatbot: another existing one is 403, any other 404.
struct ChatbotScopeMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let chatbotID: String
    let otherChatbotID: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let requested = context.parameters.get("chatbotID")
        guard requested == chatbotID else {
            return requested == otherChatbotID ? SimResponses.forbidden : SimResponses.notFound
        }
        return try await next(request, context)
    }
}
