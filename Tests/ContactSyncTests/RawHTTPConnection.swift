import Foundation
import LoopbackHTTP

/// A plain TCP connection for HTTP exchanges that an HTTP client (LoopbackHTTP
/// included) would not produce: a body that never comes, oversized headers.
/// Blocking; run it with `offPool`.
final class RawHTTPConnection: @unchecked Sendable {
    // @unchecked: one test task uses a connection at a time; the descriptor is
    // only read, written and closed from that task's calls, never concurrently.
    private let fd: Int32

    init(port: Int) throws {
        fd = try LoopbackHTTP.connect(port: UInt16(port))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            sent += written
        }
    }

    /// What the server sends until it closes or `timeout` passes without a byte.
    func receive(timeout: TimeInterval) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            out += buffer[0..<count]
            // One answer is enough: stop once headers and a Content-Length body are in.
            if let text = String(validating: out, as: UTF8.self), let end = text.range(of: "\r\n\r\n"),
                let length = text[..<end.lowerBound].split(separator: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-length:") })
                    .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                text.utf8.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= length
            {
                break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The status code of an answer's first line (nil when there is none).
    static func status(of answer: String) -> Int? {
        answer.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
    }
}
