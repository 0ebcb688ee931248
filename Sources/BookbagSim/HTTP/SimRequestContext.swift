import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel, so a "drop" fault can close it.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
