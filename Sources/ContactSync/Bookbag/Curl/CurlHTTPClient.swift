import CCurl
import Foundation
import Logging
import Synchronization

/// TLS and connection settings for the HTTP client. Peer and host verification
/// are always on; there is deliberately no switch to turn them off.
public struct HTTPClientSettings: Sendable {
    public var caBundlePath: String?
    public var connectTimeout: Duration = .seconds(5)
    public var maxConnections: Int = 16

    public init(caBundlePath: String? = nil, connectTimeout: Duration = .seconds(5), maxConnections: Int = 16) {
        self.caBundlePath = caBundlePath
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
    }
}

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
    private let threadExit = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init(settings: HTTPClientSettings) {
        _ = Self.globalInit
        self.settings = settings
        multi = curl_multi_init()
        _ = cs_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.maxConnections)
        _ = cs_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, settings.maxConnections)
        let thread = Thread { [self] in self.run() }
        thread.name = "curl-multi"
        thread.start()
    }

    /// Sends a request and returns its response or the transport error.
    public func execute(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPTransportError> {
        await withCheckedContinuation { continuation in
            let transfer = CurlTransfer(request: request, continuation: continuation)
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
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = threadExit.withLock { exit in
                if !exit.done { exit.waiters.append(continuation) }
                return exit.done
            }
            if done { continuation.resume() }
        }
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
                let easy = idleHandles.popLast() ?? curl_easy_init()!
                configure(easy, for: transfer)
                active[easy] = transfer
                curl_multi_add_handle(multi, easy)
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
                    transfer.continuation.resume(returning: .failure(HTTPTransportError(description: "HTTP client is shut down")))
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
        let waiters = threadExit.withLock { exit in
            exit.done = true
            defer { exit.waiters = [] }
            return exit.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer) {
        let request = transfer.request
        transfer.easy = easy
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        _ = cs_easy_setopt_string(easy, CURLOPT_URL, request.url)
        _ = cs_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        _ = cs_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = cs_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = cs_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)  // never carry the key elsewhere
        _ = cs_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = cs_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = settings.caBundlePath { _ = cs_easy_setopt_string(easy, CURLOPT_CAINFO, ca) }
        _ = cs_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = cs_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        _ = cs_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout))
        _ = cs_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        var headers: UnsafeMutablePointer<curl_slist>?
        for line in request.headers { headers = curl_slist_append(headers, line) }
        headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        transfer.headerList = headers
        _ = cs_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers)
        if let body = request.body {
            _ = cs_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { bytes in
                _ = cs_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        }
        _ = cs_easy_setopt_write_function(easy, curlWriteBody)
        _ = cs_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = cs_easy_setopt_header_function(easy, curlReadHeader)
        _ = cs_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = cs_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer))
    }

    private func finish(_ transfer: CurlTransfer, easy: UnsafeMutableRawPointer, code: CURLcode) {
        if code == CURLE_OK {
            var status = 0
            _ = cs_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            transfer.continuation.resume(
                returning: .success(HTTPResponse(status: status, retryAfter: transfer.retryAfter, body: transfer.responseBody)))
        } else {
            var detail = String(cString: transfer.errorBuffer)
            if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
            transfer.continuation.resume(returning: .failure(HTTPTransportError(description: detail)))
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
