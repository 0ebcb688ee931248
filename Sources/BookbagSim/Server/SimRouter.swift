import Hummingbird

extension BookbagSimServer {
    /// `/_sim/` first, untouched by middleware; then the API behind the key, the faults and the chatbot scope.
    func makeRouter() -> Router<SimRequestContext> {
        let router = Router(context: SimRequestContext.self)
        SimOpsRoutes(state: state, maximumBodyBytes: configuration.maximumBodyBytes).add(to: router.group("_sim"))
        // Router middleware applies to the routes added after it and to paths no route matches.
        router.add(middleware: BearerAuthMiddleware(validKey: configuration.apiKey))
        router.add(middleware: APIAdmissionMiddleware(state: state))
        let api = router.group(SimRoute.prefix).add(
            middleware: ChatbotScopeMiddleware(
                chatbotID: configuration.chatbotID, otherChatbotID: configuration.otherChatbotID))
        let handlers = APIHandlers(state: state, maximumBodyBytes: configuration.maximumBodyBytes)
        for route in SimRoute.allCases {
            guard let endpoint = route.endpoint else { continue }
            api.on(endpoint.path, method: endpoint.method) { request, context in
                try await handlers.respond(route, to: request, context: context)
            }
        }
        return router
    }
}
