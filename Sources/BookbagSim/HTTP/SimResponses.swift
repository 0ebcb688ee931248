import ContactSyncCore
import Hummingbird

/// JSON responses in Bookbag's shapes: `{ "message", "data" }` and `{ "message" }`.
enum SimResponses {
    static func json(_ status: Int, _ body: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func message(_ status: Int, _ message: String, headers: HTTPFields = [:]) -> Response {
        var writer = JSONWriter(capacity: message.utf8.count + 16)
        writer.beginObject()
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return json(status, writer.bytes, headers: headers)
    }

    /// `{"message": message, "data": <written by the closure>}`
    static func data(_ status: Int, message: String, capacity: Int = 256, _ writeData: (inout JSONWriter) -> Void)
        -> Response
    {
        var writer = JSONWriter(capacity: capacity)
        writer.beginObject()
        writer.key("message")
        writer.string(message)
        writer.key("data")
        writeData(&writer)
        writer.endObject()
        return json(status, writer.bytes)
    }

    static let notFound = message(404, "Resource not found")
    static let unauthorized = message(401, "Unauthorized")
    static let forbidden = message(403, "Forbidden")
    static let invalidRequestData = message(400, "Invalid request data")

    /// The body a `fail_status` fault answers with (`message`: the `fail_message` fault).
    static func simulatedFailure(status: Int, message custom: String? = nil) -> Response {
        if let custom { return message(status, custom) }
        let text =
            switch status {
            case 500: "Internal server error"
            case 502: "Bad gateway"
            case 503: "Service unavailable"
            case 504: "Gateway timeout"
            case 429: "Too many requests"
            default: "Simulated failure"
            }
        return message(status, text)
    }

    static func tooManyRequests(retryAfter: String) -> Response {
        message(429, "Too many requests", headers: [.retryAfter: retryAfter])
    }
}

extension Request {
    /// Collects the body, or nil when it is larger than `limit`.
    mutating func collectBody(limit: Int) async -> ByteBuffer? {
        try? await collectBody(upTo: limit)
    }

    /// The body parsed as JSON, nil if it is not JSON (or too large).
    mutating func jsonBody(limit: Int) async -> JSONValue? {
        guard let buffer = await collectBody(limit: limit) else { return nil }
        return buffer.withUnsafeReadableBytes { try? JSONValue.parse($0) }
    }
}
