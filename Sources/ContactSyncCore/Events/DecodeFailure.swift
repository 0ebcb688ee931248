/// Why a record cannot be used: a stable snake_case `code` for machines and a
/// `message` for a person. Messages name the field but never carry personal
/// data (the values of `email`, `name`, `phone` or attributes).
public struct RejectReason: Sendable, Equatable, Error {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A record value that did not decode into a `StoreEvent`.
public struct DecodeFailure: Sendable, Equatable, Error {
    public let reason: RejectReason
    /// Best effort: set when the record had a valid `event_id`.
    public let eventID: String?
    /// Best effort: set when the record had a valid `external_id`.
    public let externalID: String?

    public init(reason: RejectReason, eventID: String? = nil, externalID: String? = nil) {
        self.reason = reason
        self.eventID = eventID
        self.externalID = externalID
    }
}

// The decoder's reasons, one constructor per code, so codes and wording stay in one place.
extension RejectReason {
    static func valueTooLarge(_ size: Int, limit: Int) -> RejectReason {
        RejectReason(code: "value_too_large", message: "the value is \(size) bytes; the limit is \(limit)")
    }

    static let emptyValue = RejectReason(code: "empty_value", message: "the value is empty")

    /// A record whose value is null (a tombstone): nothing to decode.
    public static let tombstone = RejectReason(code: "empty_value", message: "the value is null (a tombstone)")

    static func invalidUTF8(at offset: Int) -> RejectReason {
        RejectReason(code: "invalid_utf8", message: "the value is not valid UTF-8 (byte \(offset))")
    }

    static func json(_ error: JSONReadError) -> RejectReason {
        switch error.kind {
        case .malformed:
            return RejectReason(code: "malformed_json", message: "malformed JSON at byte \(error.offset): \(error.detail)")
        case .tooDeep:
            return RejectReason(code: "too_deep", message: "JSON \(error.detail) at byte \(error.offset)")
        }
    }

    static func notAnObject(got kind: String) -> RejectReason {
        RejectReason(code: "not_an_object", message: "the value must be a JSON object (got \(kind))")
    }

    static func missingField(_ field: String) -> RejectReason {
        RejectReason(code: "missing_field", message: "missing required field '\(field)'")
    }

    static func wrongType(_ field: String, expected: String, got: String) -> RejectReason {
        RejectReason(code: "wrong_type", message: "field '\(field)' must be \(expected) (got \(got))")
    }

    static func unknownType(_ shown: String) -> RejectReason {
        RejectReason(
            code: "unknown_type",
            message: "field 'type' must be \"profile_changed\" or \"login\" (got \(shown))")
    }

    static func invalidOccurredAt(_ shown: String) -> RejectReason {
        RejectReason(
            code: "invalid_occurred_at",
            message: "field 'occurred_at' must be an RFC 3339 timestamp with offset"
                + " within years 1678-2261, e.g. 2026-11-24T10:15:00.123Z (got \(shown))")
    }

    static func invalidExternalID(_ problem: String) -> RejectReason {
        RejectReason(
            code: "invalid_external_id",
            message: "field 'external_id' must match \(ExternalID.pattern) (got \(problem))")
    }

    static func invalidEventID(characters: Int) -> RejectReason {
        RejectReason(
            code: "invalid_event_id",
            message: "field 'event_id' must be 1 to 128 characters (got \(characters))")
    }

    static func invalidAttributeValue(_ name: String, got kind: String) -> RejectReason {
        RejectReason(
            code: "invalid_attribute_value",
            message: "custom attribute '\(name)' must be a string, number, boolean or null (got \(kind))")
    }

    static func invalidAttributeName(_ shown: String) -> RejectReason {
        RejectReason(
            code: "invalid_attribute_name",
            message: "custom attribute names must match \(AttributeName.pattern) (got \(shown))")
    }

    static func tooManyAttributes(limit: Int) -> RejectReason {
        RejectReason(
            code: "too_many_attributes",
            message: "field 'custom_attributes' has more than \(limit) entries")
    }

    static func stringTooLong(_ what: String, bytes: Int, limit: Int) -> RejectReason {
        RejectReason(
            code: "string_too_long",
            message: "\(what) is \(bytes) bytes long; the limit is \(limit)")
    }

    /// `problem` says what is wrong without quoting the address (personal data).
    static func invalidEmail(_ problem: String) -> RejectReason {
        RejectReason(code: "invalid_email", message: "field 'email' is not an email address Bookbag accepts: \(problem)")
    }

    static func invalidPhone(_ problem: String) -> RejectReason {
        RejectReason(code: "invalid_phone", message: "field 'phone' is not a phone number Bookbag accepts: \(problem)")
    }

    static func numberOutOfRange(attribute name: String) -> RejectReason {
        RejectReason(
            code: "number_out_of_range",
            message: "custom attribute '\(name)' is a number beyond the range of a 64-bit float")
    }
}
