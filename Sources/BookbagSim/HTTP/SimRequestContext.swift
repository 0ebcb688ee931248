import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel, so a "drop" fault can close it,
/// and what the API middlewares learned about the caller.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// From `Authorization: Bearer <key>`, set by `BearerAuthMiddleware`.
    var bearerKey: String?
    var isAuthenticated = false
    /// Set by `APIAdmissionMiddleware` once the request may proceed.
    var admission: BookbagSimState.Admission?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
