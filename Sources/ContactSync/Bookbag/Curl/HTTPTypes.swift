/// An HTTP request for the curl wall, in Swift types only.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Full header lines, e.g. "Content-Type: application/json".
    public var headers: [String]
    public var body: [UInt8]?
    public var timeout: Duration

    public init(method: String, url: String, headers: [String], body: [UInt8]? = nil, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// The Retry-After header, when the server sent one.
    public var retryAfter: String?
    public var body: [UInt8]
    /// The body went past the client's cap (`HTTPClientSettings.maxResponseBodyBytes`):
    /// it was dropped, so `body` is empty and the status alone says what happened.
    public var bodyTruncated = false
}

/// No HTTP response: connection refused or dropped, timeout, TLS failure.
/// The text comes from libcurl's error buffer, which never contains headers.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
