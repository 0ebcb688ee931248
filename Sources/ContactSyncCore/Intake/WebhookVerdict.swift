/// What `WebhookVerifier` decided about one request.
public enum WebhookVerdict: Sendable, Equatable {
    /// Signed by a current secret, within the time tolerance.
    case verified(id: String, timestamp: Int64)
    case rejected(WebhookRejection)
}
