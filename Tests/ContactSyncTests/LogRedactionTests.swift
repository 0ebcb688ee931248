import ContactSync
import ContactSyncCore
import Logging
import Synchronization
import Testing

/// Every log line passes through `RedactingLogHandler`: the configured key is
/// replaced in the message, the metadata and the error, whatever their shape.
@Suite struct LogRedactionTests {
    private let key = "Zq9-log-secret-XYZ"

    /// What reached the wrapped handler, one line per event.
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    /// Prints like the real handlers do: message, merged metadata, error.
    struct CapturingHandler: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new })
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let line = "\(event.message) \(fields) \(event.error.map { "\($0)" } ?? "")"
            lines.all.withLock { $0.append(line) }
        }
    }

    struct EchoingError: Error, CustomStringConvertible {
        let description: String
    }

    @Test func theKeyNeverReachesTheWrappedHandlerInMessageMetadataOrError() {
        SecretRedaction.register(key)
        let lines = Lines()
        var logger = Logger(label: "test") { _ in RedactingLogHandler(wrapping: CapturingHandler(lines: lines)) }
        logger.logLevel = .trace
        logger[metadataKey: "base"] = "\(key)"
        logger.trace(
            "Bookbag said: token \(key) is invalid",
            metadata: [
                "body": "{\"k\":\"\(key)\"}",
                "nested": .dictionary(["list": .array([.string(key), .stringConvertible(EchoingError(description: key))])]),
            ])
        logger.error("request failed", error: EchoingError(description: "server echoed \(key)"))
        let written = lines.all.withLock { $0 }
        #expect(written.count == 2)
        for line in written {
            #expect(!line.contains(key), "the key reached the log: \(line)")
        }
        #expect(written.first?.contains("token [redacted] is invalid") == true)
        #expect(written.last?.contains("server echoed [redacted]") == true)
    }
}
