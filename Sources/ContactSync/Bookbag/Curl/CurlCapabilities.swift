import CCurl

/// What the service needs from the libcurl it is linked with, checked once at
/// start so that a missing security option stops the service with a clear
/// reason rather than failing (or worse, being skipped) per request.
enum CurlCapabilities {
    /// CURLOPT_PROTOCOLS_STR, which limits transfers to http and https, arrived in 7.85.0.
    static let minimumVersionNumber: UInt32 = 0x07_55_00

    /// Why a libcurl with this version number and these protocols cannot run
    /// the service, or nil when it can.
    static func refusal(versionNumber: UInt32, protocols: [String]) -> String? {
        if versionNumber < minimumVersionNumber {
            return "libcurl \(dotted(versionNumber)) is too old: contact-sync needs \(dotted(minimumVersionNumber)) "
                + "or newer (CURLOPT_PROTOCOLS_STR)"
        }
        if !protocols.contains("https") { return "libcurl \(dotted(versionNumber)) was built without https support" }
        return nil
    }

    /// "7.85.0" from 0x075500.
    static func dotted(_ versionNumber: UInt32) -> String {
        "\(versionNumber >> 16).\((versionNumber >> 8) & 0xff).\(versionNumber & 0xff)"
    }

    /// The linked libcurl, e.g. "7.88.1".
    static var version: String { String(cString: cs_version_info().pointee.version) }

    /// Throws unless the linked libcurl is recent enough, speaks https, and
    /// accepts every security option with these settings (tried on a scratch handle).
    static func verify(_ settings: HTTPClientSettings) throws(CurlSetupError) {
        CurlHTTPClient.initializeGlobally()
        let info = cs_version_info().pointee
        var protocols: [String] = []
        var cursor = info.protocols
        while let name = cursor?.pointee {
            protocols.append(String(cString: name))
            cursor = cursor?.successor()
        }
        if let reason = refusal(versionNumber: info.version_num, protocols: protocols) {
            throw CurlSetupError(description: reason)
        }
        guard let probe = curl_easy_init() else { throw CurlSetupError(description: "libcurl cannot create a handle") }
        defer { curl_easy_cleanup(probe) }
        try CurlEasyOptions(easy: probe).applySecurity(settings)
    }
}

extension CurlHTTPClient {
    /// Call before building the client: throws a `CurlSetupError` that says what
    /// is missing when the linked libcurl cannot enforce the client's security options.
    public static func verifyCapabilities(_ settings: HTTPClientSettings) throws {
        try CurlCapabilities.verify(settings)
    }

    /// The linked libcurl's version, for `check` and the start log.
    public static var libcurlVersion: String { CurlCapabilities.version }
}
