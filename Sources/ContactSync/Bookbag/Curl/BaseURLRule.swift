/// Where the Bookbag API key may be sent: https anywhere; plain http only to
/// this machine (the local bookbag-sim). The URL is read by libcurl, the parser
/// the transfers use, so a look-alike such as `http://127.0.0.1@evil.example`
/// is judged by the host libcurl would connect to.
enum BaseURLRule {
    /// Why `text` cannot be the base URL, or nil when it can. The reasons never
    /// repeat userinfo (it may hold a password).
    static func refusal(of text: String) -> String? {
        // libcurl drops an empty "#" or "?" silently; refuse them as written.
        if text.contains("#") || text.contains("?") { return "must not have a query or fragment" }
        guard let url = CurlURL(text) else {
            return "is not a URL libcurl accepts (expected https://host[:port][/path])"
        }
        guard url.scheme == "https" || url.scheme == "http" else { return "must start with https://" }
        if url.hasUserinfo { return "must not contain user information (user@ or user:password@)" }
        if url.query != nil || url.fragment != nil { return "must not have a query or fragment" }
        if url.zoneID != nil { return "must not have an IPv6 zone id" }
        if url.scheme == "http" && !isLoopback(host: url.host) {
            return "uses plain http:// to \(url.host); the API key is only sent over https:// "
                + "(http:// is allowed to 127.0.0.0/8, [::1] and localhost only)"
        }
        return nil
    }

    /// A host as libcurl reports it: an IPv4 literal in 127.0.0.0/8 (exactly
    /// four decimal octets), `[::1]`, or exactly `localhost`, which libcurl
    /// resolves to loopback itself without asking DNS.
    static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host == "[::1]" { return true }
        guard let octets = ipv4Octets(host) else { return false }
        return octets[0] == 127
    }

    /// Four decimal octets 0-255 without leading zeros, or nil.
    static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                part.utf8.count == 1 || part.utf8.first != 0x30, let value = Int(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }
}

extension BaseURLRule {
    static let proxySchemes: Set<String> = ["http", "https", "socks5", "socks5h"]

    /// Why `proxy` cannot carry requests to `baseURL`, or nil when it can.
    /// Proxy credentials (`http://user:pw@proxy:3128`) are allowed; the reasons
    /// never repeat the proxy URL.
    static func proxyRefusal(of proxy: String, baseURL: String) -> String? {
        guard !proxy.contains("#"), !proxy.contains("?"), let url = CurlURL(proxy, anyScheme: true),
            proxySchemes.contains(url.scheme), url.path == "/"
        else {
            return "must be a proxy URL such as http://proxy.internal:3128 (schemes: http, https, socks5, socks5h)"
        }
        if CurlURL(baseURL)?.scheme != "https" {
            return "cannot be used with a plain http:// BOOKBAG_BASE_URL: the API key would reach the proxy in clear text"
        }
        return nil
    }
}
