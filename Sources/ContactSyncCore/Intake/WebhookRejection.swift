/// Why a webhook request was not accepted as authentic: a stable snake_case
/// `code` for machines and a `message` for the HTTP answer and the logs. No
/// message says anything about the secrets or the signature expected.
public struct WebhookRejection: Sendable, Equatable, Error {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

// One constructor per code, so codes and wording stay in one place.
extension WebhookRejection {
    static func missingHeader(_ header: String, code: String) -> WebhookRejection {
        WebhookRejection(code: code, message: "the \(header) header is missing")
    }

    static let missingID = missingHeader("webhook-id", code: "missing_webhook_id")
    static let missingTimestamp = missingHeader("webhook-timestamp", code: "missing_webhook_timestamp")
    static let missingSignature = missingHeader("webhook-signature", code: "missing_webhook_signature")

    static func invalidID(bytes: Int) -> WebhookRejection {
        WebhookRejection(
            code: "invalid_webhook_id",
            message: "the webhook-id header must be 1 to \(WebhookVerifier.maxIDBytes) printable ASCII characters"
                + " without spaces (got \(bytes) bytes)")
    }

    static let invalidTimestamp = WebhookRejection(
        code: "invalid_timestamp",
        message: "the webhook-timestamp header must be Unix time in whole seconds (1 to 19 decimal digits)")

    static func timestampTooOld(by seconds: Int128, tolerance: Int64) -> WebhookRejection {
        WebhookRejection(
            code: "timestamp_too_old",
            message: "the webhook-timestamp is \(seconds) seconds before this server's time;"
                + " at most \(tolerance) are allowed")
    }

    static func timestampTooNew(by seconds: Int128, tolerance: Int64) -> WebhookRejection {
        WebhookRejection(
            code: "timestamp_too_new",
            message: "the webhook-timestamp is \(seconds) seconds after this server's time;"
                + " at most \(tolerance) are allowed")
    }

    static let malformedSignature = WebhookRejection(
        code: "malformed_signature",
        message: "the webhook-signature header is longer than \(WebhookSignatureHeader.maxBytes) bytes"
            + " or has more than \(WebhookSignatureHeader.maxEntries) entries")

    static let noV1Signature = WebhookRejection(
        code: "no_matching_signature",
        message: "the webhook-signature header has no v1 entry with a base64 signature")

    static let noMatchingSignature = WebhookRejection(
        code: "no_matching_signature",
        message: "no v1 signature in the webhook-signature header matches the webhook-id, webhook-timestamp and body")
}
