import Hummingbird

/// Reads `Authorization: Bearer <key>` into the context. It refuses nothing itself:
/// faults come before authentication, so `APIAdmissionMiddleware` answers 401.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let validKey: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.bearerKey = Self.key(in: request.headers[.authorization])
        context.isAuthenticated = context.bearerKey == validKey
        return try await next(request, context)
    }

    /// The key of a `Bearer <key>` header value (scheme in any case, trailing blanks ignored).
    static func key(in header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        var key = parts[1]
        while key.last == " " || key.last == "\t" { key = key.dropLast() }
        return key.isEmpty ? nil : String(key)
    }
}
