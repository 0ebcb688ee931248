import ContactSyncCore
import Logging

/// Wraps the real handler so that a registered secret (`SecretRedaction`, the
/// Bookbag key) never reaches a log line, whatever carries it: the message,
/// the handler's or the event's metadata, or the error.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    /// Kept here rather than in the wrapped handler, so it is redacted with the event's.
    public var metadata: Logger.Metadata = [:]

    public init(wrapping handler: any LogHandler) {
        wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: SecretRedaction.redact(event.message.description))
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new })
        event.metadata = merged.isEmpty ? nil : merged.mapValues(Self.redact)
        if let error = event.error {
            let text = "\(error)"
            let redacted = SecretRedaction.redact(text)
            if redacted != text { event.error = RedactedError(description: redacted) }
        }
        wrapped.log(event: event)
    }

    private static func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(SecretRedaction.redact(text))
        case .stringConvertible(let convertible): .string(SecretRedaction.redact(convertible.description))
        case .dictionary(let dictionary): .dictionary(dictionary.mapValues(redact))
        case .array(let array): .array(array.map(redact))
        }
    }

    /// Stands in for an error whose description held a secret.
    struct RedactedError: Error, CustomStringConvertible {
        let description: String
    }
}
