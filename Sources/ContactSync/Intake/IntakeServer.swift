import ContactSyncCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The intake's listener: Hummingbird carries bytes to `IntakeHandler` and its
/// answers back. Nothing but `POST /v1/events` is served here (the ops
/// endpoints stay on their own port).
enum IntakeServer {
    static func make(
        handler: IntakeHandler, deadlines: ReadDeadlines, metrics: IntakeMetrics, logger: Logger,
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) -> some Service {
        let settings = handler.settings
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let answer = await answer(to: request, handler: handler, deadlines: deadlines)
            metrics.request(status: answer.status)
            return response(answer)
        }
        // Headers are small here (three webhook headers and the usual few);
        // NIO's 80 KiB default would let each connection hold far more.
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 16 * 1024, maxHeaderFieldCount: 64)
        let channel = HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(settings.idleTimeout.nanosecondsClamped), httpDecoderConfiguration: decoder)
        return Application(
            responder: responder,
            server: .http1(configuration: channel),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "contact-sync-intake"),
            onServerRunning: { channel in await onListening?(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }

    private static func answer(to request: Request, handler: IntakeHandler, deadlines: ReadDeadlines) async -> IntakeAnswer {
        let contentLength = request.headers[.contentLength].flatMap { Int($0) }
        let opening = handler.open(
            method: request.method.rawValue, path: request.uri.path, contentType: request.headers[.contentType],
            contentLength: contentLength)
        guard case .readBody(let reserved) = opening else {
            if case .answer(let answer) = opening { return answer }
            return .problem(500, title: "Internal Server Error", detail: "unexpected state")
        }
        defer { handler.finish(reserved: reserved) }
        let body: [UInt8]
        switch await readBody(
            request.body, limit: handler.settings.maxBodyBytes, timeout: handler.settings.readTimeout, deadlines: deadlines)
        {
        case .complete(let bytes): body = bytes
        case .tooLarge: return handler.tooLarge()
        case .timedOut: return handler.readTimedOut()
        case .failed: return .problem(400, title: "Bad Request", detail: "the body could not be read")
        }
        let headers = IntakeHandler.WebhookHeaders(
            id: request.headers[.init("webhook-id")!], timestamp: request.headers[.init("webhook-timestamp")!],
            signature: request.headers[.init("webhook-signature")!])
        return await handler.deliver(headers: headers, body: body)
    }

    private enum BodyRead: Sendable {
        case complete([UInt8])
        case tooLarge
        case timedOut
        case failed
    }

    /// Reads the whole body, at most `limit` bytes, within `timeout` (a slow
    /// sender gets 408): the read runs as its own task, which `deadlines`
    /// cancels when the time is up.
    private static func readBody(
        _ body: RequestBody, limit: Int, timeout: Duration, deadlines: ReadDeadlines
    ) async -> BodyRead {
        let reading = Task { () -> BodyRead in
            var bytes: [UInt8] = []
            do {
                for try await buffer in body {
                    if Task.isCancelled { return .timedOut }
                    guard bytes.count + buffer.readableBytes <= limit else { return .tooLarge }
                    bytes.append(contentsOf: buffer.readableBytesView)
                }
            } catch {
                return Task.isCancelled ? .timedOut : .failed
            }
            return Task.isCancelled ? .timedOut : .complete(bytes)
        }
        let token = deadlines.register(timeout: timeout) { reading.cancel() }
        defer { deadlines.unregister(token) }
        return await withTaskCancellationHandler {
            await reading.value
        } onCancel: {
            reading.cancel()
        }
    }

    private static func response(_ answer: IntakeAnswer) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType]
        if let retryAfter = answer.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow = answer.allow { headers[.allow] = allow }
        return Response(
            status: .init(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

}
