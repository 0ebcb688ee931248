import Foundation

/// One HTTP/1.1 answer as the tests look at it.
public struct LoopbackHTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]
}

/// Why no answer came.
public enum LoopbackHTTPError: Error, Sendable, CustomStringConvertible {
    case unsupportedURL(String)
    case connect(errno: Int32)
    case connectionClosed(errno: Int32)
    case timedOut
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .unsupportedURL(let url): "not an http://IPv4:port URL: \(url)"
        case .connect(let code): "connect failed: \(String(cString: strerror(code)))"
        case .connectionClosed(let code): "connection closed before a whole answer (errno \(code))"
        case .timedOut: "timed out"
        case .malformedAnswer(let why): "malformed answer: \(why)"
        }
    }
}

/// HTTP/1.1 to a server on this machine: one blocking socket per request
/// (`Connection: close`), on a thread of its own, so the cooperative pool never
/// waits on it.
///
/// Why not URLSession: on Linux, FoundationNetworking watches libcurl's sockets
/// with dispatch sources, and the socket can be closed before its source is
/// cancelled (swift-corelibs-foundation #4791 and the races filed after it).
/// Hammering a server that is killed mid-request, it crashed the whole test
/// process in libdispatch (`_dispatch_source_refs_finalize_unregistration`,
/// SIGILL). Nothing here uses dispatch sources.
public enum LoopbackHTTP {
    public static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30)
    ) async throws(LoopbackHTTPError) -> LoopbackHTTPResponse {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<LoopbackHTTPResponse, LoopbackHTTPError>, Never>) in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(LoopbackHTTPError) in
                    try exchange(method, url, headers: headers, body: body, timeout: timeout)
                })
            }
            thread.name = "loopback-http"
            thread.start()
        }
        return try result.get()
    }

    /// The blocking exchange: connect, write the request, read to the answer's end.
    static func exchange(
        _ method: String, _ url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration
    ) throws(LoopbackHTTPError) -> LoopbackHTTPResponse {
        let deadline = ContinuousClock.now + timeout
        let target = try LoopbackURL(url)
        let fd = try connect(to: target.address, port: target.port)
        defer { close(fd) }

        var head = "\(method) \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.hostAndPort)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(Array(head.utf8) + (body ?? []), to: fd, deadline: deadline)

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let answer = try LoopbackAnswerParser.parse(received, atEnd: false) { return answer }
            try wait(for: Int16(POLLIN), on: fd, deadline: deadline)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                // The server closed: what came is the whole answer, or there is none.
                let code = count < 0 ? errno : 0
                if let answer = try LoopbackAnswerParser.parse(received, atEnd: true) { return answer }
                throw .connectionClosed(errno: code)
            }
            received += buffer[0..<count]
        }
    }

    /// A connected blocking TCP socket (the caller closes it).
    public static func connect(to address: in_addr = in_addr(s_addr: inet_addr("127.0.0.1")), port: UInt16) throws(LoopbackHTTPError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .connect(errno: errno) }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr = address
        socketAddress.sin_port = in_port_t(port.bigEndian)
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw .connect(errno: code)
        }
        return fd
    }

    private static func write(_ bytes: [UInt8], to fd: Int32, deadline: ContinuousClock.Instant) throws(LoopbackHTTPError) {
        var sent = 0
        while sent < bytes.count {
            try wait(for: Int16(POLLOUT), on: fd, deadline: deadline)
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw .connectionClosed(errno: errno) }
            sent += written
        }
    }

    private static func wait(for events: Int16, on fd: Int32, deadline: ContinuousClock.Instant) throws(LoopbackHTTPError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .timedOut }
            let milliseconds = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .connectionClosed(errno: errno) }
        }
    }
}

/// `http://a.b.c.d:port/path?query` (or `localhost`), the only URLs the tests use.
struct LoopbackURL {
    var address: in_addr
    var port: UInt16
    var hostAndPort: String
    var pathAndQuery: String

    init(_ url: String) throws(LoopbackHTTPError) {
        guard url.hasPrefix("http://") else { throw .unsupportedURL(url) }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw .unsupportedURL(url) }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { throw .unsupportedURL(url) }
        self.address = address
        self.port = port
        hostAndPort = String(authority)
        pathAndQuery = path.isEmpty ? "/" : String(path)
    }
}

/// Reads one HTTP/1.1 answer from the bytes received so far.
enum LoopbackAnswerParser {
    /// The answer, or nil while more bytes are needed (`atEnd`: none will come,
    /// so a body without a length ends here).
    static func parse(_ bytes: [UInt8], atEnd: Bool) throws(LoopbackHTTPError) -> LoopbackHTTPResponse? {
        guard let headEnd = firstIndex(of: [13, 10, 13, 10], in: bytes, from: 0) else {
            if atEnd && !bytes.isEmpty { throw .malformedAnswer("the head never ended") }
            return nil
        }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .malformedAnswer("status line \(lines[0].prefix(80))")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headEnd + 4
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let body = try dechunk(bytes, from: bodyStart) else {
                if atEnd { throw .malformedAnswer("a chunked body ended early") }
                return nil
            }
            return LoopbackHTTPResponse(status: status, headers: headers, body: body)
        }
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard bytes.count - bodyStart >= length else {
                if atEnd { throw .malformedAnswer("\(bytes.count - bodyStart) of \(length) body bytes") }
                return nil
            }
            return LoopbackHTTPResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)]))
        }
        if status == 204 || status == 304 || (100..<200).contains(status) {
            return LoopbackHTTPResponse(status: status, headers: headers, body: [])
        }
        return atEnd ? LoopbackHTTPResponse(status: status, headers: headers, body: Array(bytes[bodyStart...])) : nil
    }

    /// The body of a complete chunked encoding, or nil while it is incomplete.
    private static func dechunk(_ bytes: [UInt8], from start: Int) throws(LoopbackHTTPError) -> [UInt8]? {
        var body: [UInt8] = []
        var position = start
        while true {
            guard let lineEnd = firstIndex(of: [13, 10], in: bytes, from: position) else { return nil }
            let sizeText = String(decoding: bytes[position..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw .malformedAnswer("chunk size \(sizeText.prefix(20))")
            }
            let dataStart = lineEnd + 2
            if size == 0 { return firstIndex(of: [13, 10], in: bytes, from: dataStart) == nil ? nil : body }
            guard bytes.count >= dataStart + size + 2 else { return nil }
            body += bytes[dataStart..<(dataStart + size)]
            position = dataStart + size + 2
        }
    }

    private static func firstIndex(of pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0] && Array(bytes[index..<(index + pattern.count)]) == pattern { return index }
            index += 1
        }
        return nil
    }
}
