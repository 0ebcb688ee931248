import ContactSyncCore

/// An HTTP answer of the intake, independent of the server framework.
struct IntakeAnswer: Sendable, Equatable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    /// Seconds, for 503: when a retry may succeed.
    var retryAfter: Int?
    /// For 405: the methods the path takes.
    var allow: String?

    static func problem(
        _ status: Int, title: String, detail: String, errors: [IntakeBodyRejection.EventError] = [], retryAfter: Int? = nil
    ) -> IntakeAnswer {
        IntakeAnswer(
            status: status, contentType: "application/problem+json",
            body: IntakeProblem.json(status: status, title: title, detail: detail, errors: errors),
            retryAfter: retryAfter)
    }

    static func accepted(count: Int, webhookID: String, duplicate: Bool) -> IntakeAnswer {
        IntakeAnswer(
            status: 202, contentType: "application/json",
            body: IntakeProblem.accepted(count: count, webhookID: webhookID, duplicate: duplicate))
    }
}
