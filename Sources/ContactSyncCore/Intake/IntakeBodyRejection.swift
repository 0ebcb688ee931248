/// Why a webhook body was refused as a whole: a stable snake_case `code`, a
/// `message` for a person, and for `invalid_events` the events at fault.
public struct IntakeBodyRejection: Sendable, Equatable, Error {
    /// One event the consumer's decoder refused, with the decoder's own code and message.
    public struct EventError: Sendable, Equatable {
        public let index: Int
        public let code: String
        public let message: String

        public init(index: Int, code: String, message: String) {
            self.index = index
            self.code = code
            self.message = message
        }
    }

    /// `malformed_body`, `empty_batch`, `too_many_events`, `events_not_an_array` or `invalid_events`.
    public let code: String
    public let message: String
    /// Empty unless `code` is `invalid_events`; ascending by index, at most `maxListedEvents`.
    public let events: [EventError]

    public init(code: String, message: String, events: [EventError] = []) {
        self.code = code
        self.message = message
        self.events = events
    }

    /// The most events listed in one rejection, so the answer stays small.
    public static let maxListedEvents = 100
}

// One constructor per code, so codes and wording stay in one place.
extension IntakeBodyRejection {
    static func invalidUTF8(at offset: Int) -> IntakeBodyRejection {
        IntakeBodyRejection(code: "malformed_body", message: "the body is not valid UTF-8 (byte \(offset))")
    }

    static func json(_ error: JSONReadError) -> IntakeBodyRejection {
        IntakeBodyRejection(
            code: "malformed_body", message: "the body is not valid JSON at byte \(error.offset): \(error.detail)")
    }

    static func notAnObject(got kind: String) -> IntakeBodyRejection {
        IntakeBodyRejection(
            code: "malformed_body",
            message: "the body must be a JSON object: one event, or {\"events\": [...]} (got \(kind))")
    }

    static let duplicateEvents = IntakeBodyRejection(
        code: "malformed_body", message: "the body has more than one 'events' member")

    static func eventsNotAnArray(got kind: String) -> IntakeBodyRejection {
        IntakeBodyRejection(
            code: "events_not_an_array", message: "member 'events' must be an array of events (got \(kind))")
    }

    static let emptyBatch = IntakeBodyRejection(
        code: "empty_batch", message: "member 'events' is empty; send at least one event")

    static func tooManyEvents(_ count: Int, limit: Int) -> IntakeBodyRejection {
        IntakeBodyRejection(
            code: "too_many_events", message: "the batch has \(count) events; the limit is \(limit)")
    }

    /// `errors` ascending by index, all of them: the list kept is capped here.
    static func invalidEvents(_ errors: [EventError], of total: Int) -> IntakeBodyRejection {
        let listed = Array(errors.prefix(maxListedEvents))
        let noun = total == 1 ? "event" : "events"
        var message = "\(errors.count) of \(total) \(noun) \(errors.count == 1 ? "is" : "are") invalid; none was accepted"
        if listed.count < errors.count { message += " (the first \(listed.count) are listed)" }
        return IntakeBodyRejection(code: "invalid_events", message: message, events: listed)
    }
}
