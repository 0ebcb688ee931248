import CCurl

/// One request in flight: its easy handle, header list, and the response as it
/// arrives.
///
/// `@unchecked Sendable`: the submitting task creates it and hands it over
/// through the client's lock; from then on only the curl thread touches it
/// (its callbacks run inside `curl_multi_perform` on that thread), and the
/// submitter only receives the finished `Result` through the continuation.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var responseBody: [UInt8] = []
    /// The most body bytes kept; past it the body is dropped and the transfer stopped.
    let bodyLimit: Int
    var bodyOverLimit = false
    var retryAfter: String?
    /// libcurl writes a failure's text here; it must stay put while the transfer runs.
    let errorBuffer: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return buffer
    }()

    init(
        request: HTTPRequest, bodyLimit: Int, continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>
    ) {
        self.request = request
        self.bodyLimit = bodyLimit
        self.continuation = continuation
    }

    func fail(_ description: String) {
        continuation.resume(returning: .failure(HTTPTransportError(description: description)))
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }
}

/// libcurl's write callback: appends the body chunk to the transfer. Past the
/// body limit it drops what it kept and stops the transfer (returning less than
/// it was given makes libcurl end it with CURLE_WRITE_ERROR) rather than go on
/// draining: memory stays bounded and so does the time a hostile answer costs.
/// The connection is closed, not reused; such answers are rare.
func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard transfer.responseBody.count + length <= transfer.bodyLimit else {
        transfer.bodyOverLimit = true
        transfer.responseBody = []
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

/// libcurl's header callback: keeps Retry-After, ignores the rest.
func curlReadHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let data, let context, length > 12 else { return length }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.lowercased().hasPrefix("retry-after:") {
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
        transfer.retryAfter = String(line.dropFirst("retry-after:".count)).trimmingCharacters(in: " \t\r\n")
    }
    return length
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop = Set(set)
        var scalars = Substring(self)
        while let first = scalars.first, drop.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, drop.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
