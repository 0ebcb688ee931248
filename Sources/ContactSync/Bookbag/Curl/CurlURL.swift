import CCurl

/// A URL as libcurl's URL API reads it: the same parser a transfer uses, so a
/// rule checked on these parts holds for the connection libcurl then makes.
/// Parts libcurl reports as absent are nil; a present but empty part (the
/// user in `https://@host`) is "".
struct CurlURL: Sendable, Equatable {
    var scheme: String
    var user: String?
    var password: String?
    /// Login options (`user;options@`), which libcurl reads for some schemes.
    var loginOptions: String?
    /// Normalized by libcurl: IPv4 as four decimal octets ("127.1" reads as
    /// "127.0.0.1"), IPv6 in brackets ("[::1]").
    var host: String
    var zoneID: String?
    var port: String?
    var path: String
    var query: String?
    var fragment: String?

    var hasUserinfo: Bool { user != nil || password != nil || loginOptions != nil }

    /// Nil when libcurl refuses the text: no scheme, a scheme this libcurl does
    /// not support (unless `anyScheme`), a bad port, spaces or control characters.
    init?(_ text: String, anyScheme: Bool = false) {
        // A C string ends at the first NUL; what follows it would go unchecked.
        guard !text.utf8.contains(0), let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        let flags = anyScheme ? UInt32(CURLU_NON_SUPPORT_SCHEME) : 0
        guard curl_url_set(handle, CURLUPART_URL, text, flags) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST) else { return nil }
        self.scheme = scheme
        self.host = host
        user = part(CURLUPART_USER)
        password = part(CURLUPART_PASSWORD)
        loginOptions = part(CURLUPART_OPTIONS)
        zoneID = part(CURLUPART_ZONEID)
        port = part(CURLUPART_PORT)
        path = part(CURLUPART_PATH) ?? "/"
        query = part(CURLUPART_QUERY)
        fragment = part(CURLUPART_FRAGMENT)
    }
}
