import Foundation

/// Each input is a candidate BOOKBAG_BASE_URL. Whatever `BaseURLRule` accepts
/// must, as libcurl reads it, be https, or http to a loopback host (checked
/// here with inet_pton, independently of the rule's own octet parser), with
/// no userinfo, query or fragment; and the request URLs the client builds from
/// it (base + path) must keep its scheme and host.
func fuzzBaseURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = BaseURLRule.proxyRefusal(of: text, baseURL: "https://app.bookbag.ai")
    guard BaseURLRule.refusal(of: text) == nil else { return 0 }
    guard let url = CurlURL(text) else { fatalError("accepted a URL libcurl cannot read: \(text.debugDescription)") }
    if url.hasUserinfo { fatalError("accepted userinfo: \(text.debugDescription)") }
    if url.query != nil || url.fragment != nil || url.zoneID != nil {
        fatalError("accepted a query, fragment or zone id: \(text.debugDescription)")
    }
    switch url.scheme {
    case "https": break
    case "http":
        if !isLoopbackOracle(url.host) { fatalError("accepted plain http to \(url.host.debugDescription): \(text.debugDescription)") }
    default: fatalError("accepted scheme \(url.scheme.debugDescription)")
    }
    for path in ["/api/v1/chatbots/1/contacts", "/api/v1/chatbots/1/custom-attributes"] {
        guard let request = CurlURL(text + path), request.scheme == url.scheme, request.host == url.host,
            request.port == url.port, !request.hasUserinfo
        else { fatalError("the request URL leaves the checked host: \((text + path).debugDescription)") }
    }
    return 0
}

private func isLoopbackOracle(_ host: String) -> Bool {
    if host == "localhost" || host == "[::1]" { return true }
    var address = in_addr()
    guard inet_pton(AF_INET, host, &address) == 1 else { return false }
    return UInt32(bigEndian: address.s_addr) >> 24 == 127
}
