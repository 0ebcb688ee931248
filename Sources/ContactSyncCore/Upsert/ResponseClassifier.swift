/// Reads Bookbag's answer to an upsert (contracts section 2) into an `UpsertOutcome`.
public enum ResponseClassifier {
    /// Where a 2xx body lists per-entry failures. *(inferred; keep easy to change)*
    static let entryErrorsKey = "errors"
    static let entryErrorExternalIDKey = "external_id"
    static let entryErrorMessageKey = "message"

    /// A 429's wait is what `Retry-After` says, within `[0, maxRetryAfter]`.
    public static func classify(
        status: Int, retryAfter: String?, body: [UInt8], now: Timestamp,
        maxRetryAfter: Duration = RetryAfter.defaultMaximum
    ) -> UpsertOutcome {
        switch status {
        case 200..<300:
            return .accepted(entryErrors: entryErrors(fromBody: body))
        case 429:
            return .rateLimited(retryAfter: retryAfter.flatMap { RetryAfter.parse($0, now: now, maximum: maxRetryAfter) })
        case 401:
            return .configuration(status: status, message: describe(body, or: "the API key is missing or invalid"))
        case 403:
            return .configuration(
                status: status, message: describe(body, or: "the API key is not allowed for this chatbot"))
        case 404:
            return .configuration(
                status: status, message: describe(body, or: "chatbot not found, or outside the key's scope"))
        case 408:
            return .transient(status: status, message: describe(body, or: "request timeout"))
        case 400..<500:
            let text = describe(body, or: "request refused")
            if status == 400 || status == 422, mentionsUndefinedAttribute(text) {
                return .undefinedAttribute(status: status, message: text)
            }
            return .refused(status: status, message: text)
        case 500..<600:
            return .transient(status: status, message: describe(body, or: "server error"))
        case 300..<400:
            // A redirect means the base URL is wrong (e.g. http for https); retrying cannot fix it.
            return .configuration(
                status: status, message: describe(body, or: "unexpected redirect; check BOOKBAG_BASE_URL"))
        default:
            return .transient(status: status, message: describe(body, or: "unexpected status"))
        }
    }

    /// The `message` of a Chatbase-shaped body (`{"message": "..."}`, or a
    /// string `error` when there is no `message`), sanitized and capped at 200
    /// characters. Nil when the body is not such JSON or the message is blank.
    public static func message(fromBody body: [UInt8]) -> String? {
        guard let object = jsonObject(body) else { return nil }
        let raw = object["message"]?.stringValue ?? object["error"]?.stringValue
        guard let raw else { return nil }
        let text = DisplayMessage.sanitized(raw)
        return text.isEmpty ? nil : text
    }

    /// external_id -> message for each entry a 2xx body lists as failed, read
    /// from `{"errors":[...]}` (or the same under `data`). Entries without an
    /// external_id cannot be matched to a contact and are skipped.
    static func entryErrors(fromBody body: [UInt8]) -> [String: String] {
        guard let object = jsonObject(body) else { return [:] }
        let list = object[entryErrorsKey]?.arrayValue ?? object["data"]?.objectValue?[entryErrorsKey]?.arrayValue ?? []
        var errors: [String: String] = [:]
        for item in list.compactMap(\.objectValue) {
            guard let externalID = item[entryErrorExternalIDKey]?.stringValue else { continue }
            let text = item[entryErrorMessageKey]?.stringValue.map { DisplayMessage.sanitized($0) } ?? ""
            errors[externalID] = text.isEmpty ? "entry refused by Bookbag" : text
        }
        return errors
    }

    /// Whether a 400/422 message says a custom attribute is not defined. *(inferred wording)*
    static func mentionsUndefinedAttribute(_ message: String) -> Bool {
        let lowered = message.lowercased()
        guard lowered.contains("attribute") else { return false }
        return ["undefined", "unknown", "not defined", "does not exist", "doesn't exist", "not found", "no such"]
            .contains { lowered.contains($0) }
    }

    /// Bookbag's message, or `fallback` (the status travels beside it in the outcome).
    private static func describe(_ body: [UInt8], or fallback: String) -> String {
        message(fromBody: body) ?? fallback
    }

    /// The body's top-level object; nil when the body is not a JSON object.
    private static func jsonObject(_ body: [UInt8]) -> [String: JSONValue]? {
        guard !body.isEmpty else { return nil }
        let parsed = try? JSONValue.parse(body)
        return parsed?.objectValue
    }
}
