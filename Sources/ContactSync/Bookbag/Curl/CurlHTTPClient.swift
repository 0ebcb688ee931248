import CCurl
import FoundationEssentials
import Logging
import Synchronization

/// HTTP over libcurl's multi interface. All curl calls run on one dedicated
/// thread, which waits in `curl_multi_poll`; `execute` only queues the request
/// and wakes that thread, so the cooperative pool never blocks. Connections are
/// kept alive and reused across requests.
public final class CurlHTTPClient: Sendable {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let settings: HTTPClientSettings
    /// The multi handle. `curl_multi_wakeup` is the only call made from other
    /// threads, and libcurl documents it as thread-safe.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let submissions = Mutex<(open: Bool, queue: [CurlTransfer])>((true, []))
    private let curlThread = DedicatedThread(name: "curl-multi")

    /// curl_global_init, once per process, before any other curl call.
    static func initializeGlobally() { _ = globalInit }

    /// See `verifyCapabilities` (call it first): a client built on a libcurl
    /// that refuses an option still fails each transfer with that reason.
    public init(settings: HTTPClientSettings) {
        _ = Self.globalInit
        self.settings = settings
        multi = curl_multi_init()
        _ = cs_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.maxConnections)
        _ = cs_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, settings.maxConnections)
        curlThread.start { [self] in self.run() }
    }

    /// Sends a request and returns its response or the transport error.
    public func execute(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPTransportError> {
        await withCheckedContinuation { continuation in
            let transfer = CurlTransfer(
                request: request, bodyLimit: settings.maxResponseBodyBytes, continuation: continuation)
            let accepted = submissions.withLock { state -> Bool in
                guard state.open else { return false }
                state.queue.append(transfer)
                return true
            }
            if accepted {
                curl_multi_wakeup(multi)
            } else {
                continuation.resume(returning: .failure(HTTPTransportError(description: "HTTP client is shut down")))
            }
        }
    }

    /// Fails queued requests, waits for the curl thread to end, frees the handle.
    public func shutdown() async {
        submissions.withLock { $0.open = false }
        curl_multi_wakeup(multi)
        await curlThread.ended()
    }

    // MARK: - curl thread

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idleHandles: [UnsafeMutableRawPointer] = []
        while true {
            let (open, incoming) = submissions.withLock { state -> (Bool, [CurlTransfer]) in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.open, state.queue)
            }
            for transfer in incoming {
                guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
                    transfer.fail("libcurl cannot create a handle")
                    continue
                }
                do {
                    try configure(easy, for: transfer)
                    let added = curl_multi_add_handle(multi, easy)
                    guard added == CURLM_OK else {
                        throw CurlSetupError(description: "libcurl cannot start the transfer: \(String(cString: curl_multi_strerror(added)))")
                    }
                    active[easy] = transfer
                } catch {
                    transfer.fail("\(error)")
                    curl_easy_reset(easy)
                    idleHandles.append(easy)
                }
            }
            if !open && active.isEmpty { break }

            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: easy)
                else { continue }
                let code = cs_msg_result(message)
                curl_multi_remove_handle(multi, easy)
                finish(transfer, easy: easy, code: code)
                curl_easy_reset(easy)
                idleHandles.append(easy)
            }
            if !open {
                // Shutting down: abandon what is still in flight.
                for (easy, transfer) in active {
                    curl_multi_remove_handle(multi, easy)
                    transfer.fail("HTTP client is shut down")
                    curl_easy_cleanup(easy)
                }
                active = [:]
                break
            }
            var numfds: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &numfds)
        }
        for easy in idleHandles { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
    }

    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer) throws(CurlSetupError) {
        let request = transfer.request
        transfer.easy = easy
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let options = CurlEasyOptions(easy: easy)
        try options.applySecurity(settings)
        try options.set(CURLOPT_URL, request.url)
        try options.set(CURLOPT_CUSTOMREQUEST, request.method)
        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_TCP_KEEPALIVE, 1)
        try options.set(CURLOPT_TCP_NODELAY, 1)
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout))
        try options.set(CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        var headers: UnsafeMutablePointer<curl_slist>?
        for line in request.headers { headers = curl_slist_append(headers, line) }
        headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        transfer.headerList = headers
        try options.set(CURLOPT_HTTPHEADER, list: headers)
        if let body = request.body {
            try options.set(CURLOPT_POSTFIELDSIZE, body.count)
            // libcurl copies the bytes before the call returns.
            let copied = body.withUnsafeBytes { bytes in
                Result { () throws(CurlSetupError) in
                    try options.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
            try copied.get()
        }
        try options.setWriteFunction(curlWriteBody)
        try options.set(CURLOPT_WRITEDATA, pointer: context)
        try options.setHeaderFunction(curlReadHeader)
        try options.set(CURLOPT_HEADERDATA, pointer: context)
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(transfer.errorBuffer))
    }

    private func finish(_ transfer: CurlTransfer, easy: UnsafeMutableRawPointer, code: CURLcode) {
        var status = 0
        _ = cs_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        // A body past the cap ends the transfer (announced: FILESIZE_EXCEEDED;
        // found while reading: the write callback's WRITE_ERROR), but the status
        // line has arrived: answer with it and no body.
        let overCap = code == CURLE_FILESIZE_EXCEEDED || (code == CURLE_WRITE_ERROR && transfer.bodyOverLimit)
        if code == CURLE_OK || (overCap && status > 0) {
            transfer.continuation.resume(
                returning: .success(
                    HTTPResponse(
                        status: status, retryAfter: transfer.retryAfter, body: overCap ? [] : transfer.responseBody,
                        bodyTruncated: overCap)))
        } else {
            var detail = String(cString: transfer.errorBuffer)
            if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
            transfer.fail(detail)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
