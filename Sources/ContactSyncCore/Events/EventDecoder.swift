/// Turns the bytes of one Kafka record value into a validated `StoreEvent`
/// (contracts section 1), or says precisely why it cannot.
///
/// Two light passes over the bytes, no tree: the first checks the whole value
/// is well-formed JSON within the depth limit and notes where the known
/// top-level fields start; the second reads just those fields, once the event's
/// type is known (a login ignores the profile fields). Strings are created
/// only for the fields kept.
public enum EventDecoder {
    public static func decode(_ value: [UInt8], limits: DecodeLimits = DecodeLimits())
        -> Result<StoreEvent, DecodeFailure>
    {
        value.withUnsafeBytes { decode($0, limits: limits) }
    }

    public static func decode(_ value: UnsafeRawBufferPointer, limits: DecodeLimits)
        -> Result<StoreEvent, DecodeFailure>
    {
        guard !value.isEmpty else { return .failure(DecodeFailure(reason: .emptyValue)) }
        guard value.count <= limits.maxValueBytes else {
            return .failure(DecodeFailure(reason: .valueTooLarge(value.count, limit: limits.maxValueBytes)))
        }
        if let offset = UTF8Validation.firstInvalidOffset(in: value) {
            return .failure(DecodeFailure(reason: .invalidUTF8(at: offset)))
        }
        var offsets = EventFieldOffsets()
        do throws(RejectReason) {
            try locateFields(in: value, maxDepth: limits.maxDepth, into: &offsets)
            return .success(try EventFieldReader(bytes: value, limits: limits, offsets: offsets).event())
        } catch {
            // Offsets noted before a failure point at complete values, so the
            // identity of a broken record can still be read.
            let fields = EventFieldReader(bytes: value, limits: limits, offsets: offsets)
            return .failure(
                DecodeFailure(reason: error, eventID: try? fields.eventID(), externalID: try? fields.externalID()))
        }
    }

    /// The first pass: checks the value is one well-formed JSON object nesting
    /// at most `maxDepth` levels, and notes where each known field's value
    /// starts (the last occurrence of a key wins). Only values skipped
    /// completely are noted, so a failure leaves the offsets usable.
    static func locateFields(
        in bytes: UnsafeRawBufferPointer, maxDepth: Int, into offsets: inout EventFieldOffsets
    ) throws(RejectReason) {
        var reader = JSONByteReader(bytes: bytes)
        let nonObjectKind: String?
        do throws(JSONReadError) {
            nonObjectKind = try scanTopLevel(&reader, maxDepth: maxDepth, into: &offsets)
        } catch {
            throw .json(error)
        }
        if let nonObjectKind { throw .notAnObject(got: nonObjectKind) }
    }

    /// Reads the whole value; returns nil for an object, or the kind of a
    /// well-formed value that is not one.
    private static func scanTopLevel(
        _ reader: inout JSONByteReader, maxDepth: Int, into offsets: inout EventFieldOffsets
    ) throws(JSONReadError) -> String? {
        guard reader.peekAfterWhitespace() == JSONByte.openBrace else {
            // Tell a well-formed non-object from garbage.
            let kind = JSONByteReader.kindName(startingWith: reader.current)
            try reader.skipValue(enclosingDepth: 0, maxDepth: maxDepth)
            try requireEnd(of: &reader)
            return kind
        }
        guard maxDepth >= 1 else { throw .tooDeep(limit: maxDepth, at: reader.position) }
        reader.position &+= 1
        if reader.peekAfterWhitespace() == JSONByte.closeBrace {
            reader.position &+= 1
            try requireEnd(of: &reader)
            return nil
        }
        while true {
            let key = try reader.readKey()
            let field = EventField(key: key, in: reader)
            reader.skipWhitespace()
            let valueStart = reader.position
            try reader.skipValue(enclosingDepth: 1, maxDepth: maxDepth)
            if let field { offsets[field] = valueStart }
            switch reader.peekAfterWhitespace() {
            case JSONByte.comma:
                reader.position &+= 1
            case JSONByte.closeBrace:
                reader.position &+= 1
                try requireEnd(of: &reader)
                return nil
            case nil:
                throw .malformed("unterminated object", at: reader.position)
            default:
                throw .malformed("expected ',' or '}'", at: reader.position)
            }
        }
    }

    private static func requireEnd(of reader: inout JSONByteReader) throws(JSONReadError) {
        reader.skipWhitespace()
        guard reader.isAtEnd else {
            throw .malformed("unexpected data after the JSON value", at: reader.position)
        }
    }
}

/// The top-level fields the decoder knows (contracts section 1).
enum EventField: Int {
    case type, eventID, occurredAt, externalID, email, name, phone, customAttributes

    var jsonName: StaticString {
        switch self {
        case .type: return "type"
        case .eventID: return "event_id"
        case .occurredAt: return "occurred_at"
        case .externalID: return "external_id"
        case .email: return "email"
        case .name: return "name"
        case .phone: return "phone"
        case .customAttributes: return "custom_attributes"
        }
    }

    var displayName: String { jsonName.description }

    /// The field a key names, or nil for an unknown key.
    init?(key: JSONStringToken, in reader: JSONByteReader) {
        if key.hasEscapes {
            let decoded = reader.decodedBytes(of: key)
            guard let field = decoded.withUnsafeBytes({ EventField(name: $0) }) else { return nil }
            self = field
        } else {
            guard let field = EventField(name: reader.rawBytes(of: key)) else { return nil }
            self = field
        }
    }

    /// The field whose JSON name is exactly `name`; by length first, as keys
    /// of other lengths (most unknown ones) need no comparison at all.
    init?(name: UnsafeRawBufferPointer) {
        let candidates: (EventField, EventField?)
        switch name.count {
        case 4: candidates = (.type, .name)
        case 5: candidates = (.email, .phone)
        case 8: candidates = (.eventID, nil)
        case 11: candidates = (.occurredAt, .externalID)
        case 17: candidates = (.customAttributes, nil)
        default: return nil
        }
        if JSONByteReader.bytes(name, equal: candidates.0.jsonName) {
            self = candidates.0
        } else if let second = candidates.1, JSONByteReader.bytes(name, equal: second.jsonName) {
            self = second
        } else {
            return nil
        }
    }
}

/// Where each known field's value starts in the record value.
struct EventFieldOffsets {
    private var starts: (Int?, Int?, Int?, Int?, Int?, Int?, Int?, Int?) =
        (nil, nil, nil, nil, nil, nil, nil, nil)

    subscript(field: EventField) -> Int? {
        get {
            switch field {
            case .type: return starts.0
            case .eventID: return starts.1
            case .occurredAt: return starts.2
            case .externalID: return starts.3
            case .email: return starts.4
            case .name: return starts.5
            case .phone: return starts.6
            case .customAttributes: return starts.7
            }
        }
        set {
            switch field {
            case .type: starts.0 = newValue
            case .eventID: starts.1 = newValue
            case .occurredAt: starts.2 = newValue
            case .externalID: starts.3 = newValue
            case .email: starts.4 = newValue
            case .name: starts.5 = newValue
            case .phone: starts.6 = newValue
            case .customAttributes: starts.7 = newValue
            }
        }
    }
}
