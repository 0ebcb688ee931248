/// What one upsert request's response means for the entries it carried.
public enum UpsertOutcome: Sendable, Equatable {
    /// 2xx. Entries named in `entryErrors` (external_id -> message) were not
    /// stored; every other entry was. *(inferred shape, contracts section 2)*
    case accepted(entryErrors: [String: String])
    /// 400/422 and other 4xx not listed below: the whole request was refused;
    /// split it to isolate the refused entries.
    case refused(status: Int, message: String)
    /// 400/422 whose message says a custom attribute is undefined or unknown:
    /// refresh the attribute definitions and retry once.
    case undefinedAttribute(status: Int, message: String)
    /// 429, with the parsed `Retry-After` when there was a usable one.
    case rateLimited(retryAfter: Duration?)
    /// 5xx, 408, other unexpected statuses, and transport errors (`status` nil): retry with backoff.
    case transient(status: Int?, message: String)
    /// 401, 403, 404 (and redirects): credentials, scope, chatbot id or base
    /// URL are wrong; no retry helps until the configuration changes.
    case configuration(status: Int, message: String)

    /// The HTTP status behind the outcome, when there was a response.
    public var httpStatus: Int? {
        switch self {
        case .accepted: nil
        case .refused(let status, _), .undefinedAttribute(let status, _), .configuration(let status, _): status
        case .rateLimited: 429
        case .transient(let status, _): status
        }
    }
}
