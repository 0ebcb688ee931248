/// TLS, proxy and connection settings for the HTTP client. Peer and host
/// verification are always on; there is deliberately no switch to turn them off.
public struct HTTPClientSettings: Sendable {
    public var caBundlePath: String?
    /// The only proxy used (BOOKBAG_PROXY). Without one, proxy variables in the
    /// environment (http_proxy, https_proxy, all_proxy) are ignored.
    public var proxy: String?
    public var connectTimeout: Duration = .seconds(5)
    public var maxConnections: Int = 16
    /// A response body longer than this is dropped, and the transfer stopped:
    /// the status alone then tells what happened. Bookbag's answers are small.
    public var maxResponseBodyBytes: Int = 1 << 20

    public init(
        caBundlePath: String? = nil, proxy: String? = nil, connectTimeout: Duration = .seconds(5),
        maxConnections: Int = 16, maxResponseBodyBytes: Int = 1 << 20
    ) {
        self.caBundlePath = caBundlePath
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }
}
