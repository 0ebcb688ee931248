import Synchronization

/// The secrets this process holds (the Bookbag key), replaced by `[redacted]`
/// wherever text leaves the process: log lines, results, dead letters, /metrics.
/// Process-wide on purpose: the log handler is bootstrapped before the
/// configuration is read, and Bookbag's messages are cleaned deep in the core;
/// both must see the key without it being passed through every call.
public enum SecretRedaction {
    public static let placeholder = "[redacted]"
    private static let secrets = Mutex<[[UInt8]]>([])

    /// Adds a secret to redact from now on; an empty one is ignored.
    public static func register(_ secret: String) {
        guard !secret.isEmpty else { return }
        let bytes = Array(secret.utf8)
        secrets.withLock { known in
            if !known.contains(bytes) { known.append(bytes) }
        }
    }

    /// `text` with every occurrence of a registered secret replaced.
    public static func redact(_ text: String) -> String {
        let known = secrets.withLock { $0 }
        guard !known.isEmpty else { return text }
        var text = text
        text.makeContiguousUTF8()
        let replaced = text.utf8.withContiguousStorageIfAvailable { replacing(known, in: $0) } ?? nil
        return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// `bytes` (UTF-8 text such as the /metrics page) with every registered secret replaced.
    public static func redact(bytes: [UInt8]) -> [UInt8] {
        let known = secrets.withLock { $0 }
        guard !known.isEmpty else { return bytes }
        return bytes.withUnsafeBufferPointer { replacing(known, in: $0) } ?? bytes
    }

    /// The text with the secrets replaced, or nil when none occurs (the common case, no copy).
    /// Byte-wise is exact for UTF-8: a valid secret starts and ends on character boundaries.
    private static func replacing(_ known: [[UInt8]], in text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var current: [UInt8]? = nil
        for secret in known {
            let next: [UInt8]?
            if let current {
                next = current.withUnsafeBufferPointer { replacing(secret, in: $0) }
            } else {
                next = replacing(secret, in: text)
            }
            if let next { current = next }
        }
        return current
    }

    private static func replacing(_ secret: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard var match = firstMatch(of: secret, in: text, from: 0) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        while true {
            out.append(contentsOf: text[copied..<match])
            out.append(contentsOf: placeholder.utf8)
            copied = match + secret.count
            guard let next = firstMatch(of: secret, in: text, from: copied) else { break }
            match = next
        }
        out.append(contentsOf: text[copied...])
        return out
    }

    private static func firstMatch(of secret: [UInt8], in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = secret.first, text.count - start >= secret.count else { return nil }
        var index = start
        let last = text.count - secret.count
        while index <= last {
            if text[index] == first {
                var matched = 1
                while matched < secret.count, text[index + matched] == secret[matched] { matched += 1 }
                if matched == secret.count { return index }
            }
            index += 1
        }
        return nil
    }
}
