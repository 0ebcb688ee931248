import ContactSyncCore
import FoundationEssentials
import Glibc
import Logging

/// LOG_FORMAT=json|text and LOG_LEVEL, bootstrapped once by `main`. Every
/// handler is wrapped so the configured key never reaches a log line.
public enum LoggingSetup {
    @discardableResult
    public static func bootstrap(environment: [String: String]) -> Logger.Level {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? Logger.Level(rawValue: ContactSyncConfiguration.defaultLogLevel) ?? .info
        let json = environment["LOG_FORMAT"]?.lowercased() == "json"
        LoggingSystem.bootstrap { label in
            let handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            var redacting = RedactingLogHandler(wrapping: handler)
            redacting.logLevel = level
            return redacting
        }
        return level
    }
}

/// One JSON object per line on standard error.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: String] = [
            "ts": Timestamp.now.rfc3339Millis, "level": event.level.rawValue, "logger": label,
            "msg": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = "\(value)"
        }
        var line = JSONWriter(capacity: 256)
        line.object { line in
            // Sorted, so that lines are stable to read and to diff.
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                line.key(key)
                line.string(value)
            }
        }
        FileDescriptorOutput.writeAll(line.bytes + [0x0A], to: STDERR_FILENO)
    }
}
