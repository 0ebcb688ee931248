import CCurl

/// Sets options on one easy handle and checks each result: an option libcurl
/// refuses ends the setup with an error naming it, so no transfer ever runs
/// without an option it was meant to have.
struct CurlEasyOptions {
    let easy: UnsafeMutableRawPointer

    /// The options that keep the key where it belongs. Every transfer gets
    /// them, and the start-up probe tries them once (`CurlCapabilities`).
    func applySecurity(_ settings: HTTPClientSettings) throws(CurlSetupError) {
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)  // never carry the key elsewhere
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = settings.caBundlePath { try set(CURLOPT_CAINFO, ca) }
        if let proxy = settings.proxy {
            try set(CURLOPT_PROXY, proxy)
        } else {
            // libcurl would otherwise take http_proxy & co. from the environment.
            try set(CURLOPT_NOPROXY, "*")
        }
        // Refuses a body announced longer than the cap before reading it; the
        // write callback stops one that turns out longer (chunked).
        try set(CURLOPT_MAXFILESIZE_LARGE, size: Int64(settings.maxResponseBodyBytes))
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlSetupError) {
        try check(cs_easy_setopt_long(easy, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlSetupError) {
        try check(cs_easy_setopt_string(easy, option, value), option)
    }

    func set(_ option: CURLoption, size value: Int64) throws(CurlSetupError) {
        try check(cs_easy_setopt_off_t(easy, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(CurlSetupError) {
        try check(cs_easy_setopt_pointer(easy, option, value), option)
    }

    func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) throws(CurlSetupError) {
        try check(cs_easy_setopt_slist(easy, option, value), option)
    }

    typealias DataCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    func setWriteFunction(_ callback: DataCallback) throws(CurlSetupError) {
        try check(cs_easy_setopt_write_function(easy, callback), CURLOPT_WRITEFUNCTION)
    }

    func setHeaderFunction(_ callback: DataCallback) throws(CurlSetupError) {
        try check(cs_easy_setopt_header_function(easy, callback), CURLOPT_HEADERFUNCTION)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlSetupError) {
        guard code != CURLE_OK else { return }
        throw CurlSetupError(
            description: "libcurl refused CURLOPT_\(Self.name(of: option)): \(String(cString: curl_easy_strerror(code)))")
    }

    /// libcurl's own name for an option ("URL" for CURLOPT_URL).
    static func name(of option: CURLoption) -> String {
        guard let entry = curl_easy_option_by_id(option), let name = entry.pointee.name else { return "#\(option.rawValue)" }
        return String(cString: name)
    }
}
