/// The `error` of a result or dead letter: `{"code": "<snake_case>", "message": "<text for a person>"}`.
public struct SyncError: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Codes for upsert outcomes. Other parts may add theirs in extensions.
    public enum Code {
        /// Bookbag refused the entry (400/422, isolated by splitting).
        public static let bookbagRejected = "bookbag_rejected"
        /// Still refused for an undefined custom attribute after refreshing definitions.
        public static let bookbagUndefinedAttribute = "bookbag_undefined_attribute"
        /// A 2xx response listed this entry as failed.
        public static let bookbagEntryError = "bookbag_entry_error"
        /// Transient errors or 429s outlasted the retry policy.
        public static let retryBudgetExhausted = "retry_budget_exhausted"
        /// 401/403/404: credentials, scope or chatbot id are wrong.
        public static let configurationError = "configuration_error"
    }
}

extension SyncError {
    /// The error to report for an entry whose outcome ended its attempts, or nil
    /// for a plain acceptance. `attempts` is how many requests carried it.
    /// For `.accepted`, use `entryError(message:)` for the entries it names.
    /// Outcome messages are sanitized again here because transport errors reach
    /// `.transient` without passing through `ResponseClassifier`.
    public static func forFinal(_ outcome: UpsertOutcome, attempts: Int) -> SyncError? {
        switch outcome {
        case .accepted:
            return nil
        case .refused(let status, let message):
            let message = DisplayMessage.sanitized(message)
            return SyncError(code: Code.bookbagRejected, message: "Bookbag refused the contact (HTTP \(status)): \(message)")
        case .undefinedAttribute(let status, let message):
            let message = DisplayMessage.sanitized(message)
            return SyncError(
                code: Code.bookbagUndefinedAttribute,
                message: "Bookbag refused an undefined custom attribute (HTTP \(status)): \(message)")
        case .configuration(let status, let message):
            let message = DisplayMessage.sanitized(message)
            return SyncError(
                code: Code.configurationError,
                message: "Bookbag refused the request (HTTP \(status)): \(message); check the API key, chatbot id and base URL")
        case .rateLimited:
            return SyncError(
                code: Code.retryBudgetExhausted, message: "gave up after \(attempts) attempts: still rate limited (HTTP 429)")
        case .transient(let status, let message):
            let message = DisplayMessage.sanitized(message)
            let what = status.map { "HTTP \($0): " } ?? ""
            return SyncError(
                code: Code.retryBudgetExhausted, message: "gave up after \(attempts) attempts: \(what)\(message)")
        }
    }

    /// A failure a 2xx response listed for one entry.
    public static func entryError(message: String) -> SyncError {
        SyncError(code: Code.bookbagEntryError, message: "Bookbag did not store the contact: \(message)")
    }
}
