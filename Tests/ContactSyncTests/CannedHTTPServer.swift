import Foundation
import Synchronization

/// A plain-socket listener on loopback that answers every connection with one
/// canned HTTP response (or with nothing: it reads the request and closes),
/// and counts connections and the body bytes it managed to send. It stands in
/// for a misbehaving Bookbag (a huge error body) or for a proxy that must not
/// be used. It runs on its own threads, never on the cooperative pool.
final class CannedHTTPServer: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [String] = []
        var bodyBytes: Int = 0
        /// Sends the body chunked (no Content-Length), so the client cannot refuse it up front.
        var chunked = false
    }

    let port: Int
    private let listener: Int32
    private let response: Response?
    private let counters = Mutex<(connections: Int, bodyBytesSent: Int)>((0, 0))

    var connections: Int { counters.withLock { $0.connections } }
    var bodyBytesSent: Int { counters.withLock { $0.bodyBytesSent } }
    var url: String { "http://127.0.0.1:\(port)" }

    init(response: Response?) throws {
        self.response = response
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting (shutdown wakes the blocked accept).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            counters.withLock { $0.connections += 1 }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        readRequestHead(connection)
        guard let response else { return }
        var head = "HTTP/1.1 \(response.status) Canned\r\nConnection: close\r\n"
        head += response.chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(response.bodyBytes)\r\n"
        // After the length, so a client that refuses the length up front must still have read them.
        for line in response.headers { head += "\(line)\r\n" }
        head += "\r\n"
        guard send(connection, Array(head.utf8)) else { return }
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        var remaining = response.bodyBytes
        while remaining > 0 {
            let count = min(remaining, piece.count)
            let framed = response.chunked ? Array((String(count, radix: 16) + "\r\n").utf8) + piece[..<count] + Array("\r\n".utf8) : Array(piece[..<count])
            guard send(connection, framed) else { return }
            counters.withLock { $0.bodyBytesSent += count }
            remaining -= count
        }
        if response.chunked { _ = send(connection, Array("0\r\n\r\n".utf8)) }
    }

    /// Reads until the blank line after the headers (or the peer closes).
    private func readRequestHead(_ connection: Int32) {
        let blankLine = Array("\r\n\r\n".utf8)
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while seen.firstRange(of: blankLine) == nil, seen.count < 1 << 20 {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { return }
            seen.append(contentsOf: buffer[..<count])
        }
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
