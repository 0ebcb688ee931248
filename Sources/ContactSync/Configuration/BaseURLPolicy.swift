/// The key is never sent in clear text: `https://` anywhere, plain `http://`
/// only to this machine (the local bookbag-sim). libcurl reads the URL (see
/// `BaseURLRule`), so look-alikes such as `http://127.0.0.1@host` are refused.
public enum BaseURLPolicy {
    public static func check(_ url: String) throws {
        if let reason = BaseURLRule.refusal(of: url) {
            throw ConfigurationReader.ConfigurationError(description: "BOOKBAG_BASE_URL \(reason)")
        }
    }

    /// BOOKBAG_PROXY, when set: a proxy URL libcurl accepts, and never with a
    /// plain-http base URL (the key would reach the proxy in clear text).
    public static func checkProxy(_ proxy: String?, baseURL: String) throws {
        guard let proxy else { return }
        if let reason = BaseURLRule.proxyRefusal(of: proxy, baseURL: baseURL) {
            throw ConfigurationReader.ConfigurationError(description: "BOOKBAG_PROXY \(reason)")
        }
    }
}
