/// The second pass of `EventDecoder`: reads and validates the known fields at
/// the offsets the first pass noted. The first pass has already checked the
/// JSON grammar, so the only failures here are the contract's rules.
struct EventFieldReader {
    let bytes: UnsafeRawBufferPointer
    let limits: DecodeLimits
    let offsets: EventFieldOffsets

    func event() throws(RejectReason) -> StoreEvent {
        let kind = try kind()
        let eventID = try eventID()
        let externalID = try externalID()
        let occurredAt = try occurredAt()
        var event = StoreEvent(kind: kind, eventID: eventID, occurredAt: occurredAt, externalID: externalID)
        guard kind == .profileChanged else { return event }
        event.email = try profileString(.email)
        if case .set(let email) = event.email, let problem = ContactFormat.emailProblem(email) {
            throw .invalidEmail(problem)
        }
        event.name = try profileString(.name)
        event.phone = try profileString(.phone)
        if case .set(let phone) = event.phone, let problem = ContactFormat.phoneProblem(phone) {
            throw .invalidPhone(problem)
        }
        event.customAttributes = try customAttributes()
        return event
    }

    func kind() throws(RejectReason) -> StoreEvent.Kind {
        let (reader, token) = try requiredString(.type)
        if reader.token(token, equals: "profile_changed") { return .profileChanged }
        if reader.token(token, equals: "login") { return .login }
        throw .unknownType(Self.shown(reader.decodedBytes(of: token)))
    }

    func eventID() throws(RejectReason) -> String {
        let (reader, token) = try requiredString(.eventID)
        if !token.hasEscapes {
            let raw = reader.rawBytes(of: token)
            try Self.checkEventIDLength(Self.scalarCount(raw))
            return String(decoding: raw, as: UTF8.self)
        }
        let utf8 = reader.decodedBytes(of: token)
        try Self.checkEventIDLength(Self.scalarCount(utf8))
        return String(decoding: utf8, as: UTF8.self)
    }

    private static func checkEventIDLength(_ characters: Int) throws(RejectReason) {
        guard characters >= 1 && characters <= 128 else { throw .invalidEventID(characters: characters) }
    }

    /// Characters as JSON Schema counts them (Unicode scalars) in valid UTF-8:
    /// every byte that is not a continuation byte starts one.
    private static func scalarCount(_ utf8: some Sequence<UInt8>) -> Int {
        utf8.reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count &+ 1 }
    }

    func externalID() throws(RejectReason) -> String {
        let (reader, token) = try requiredString(.externalID)
        if !token.hasEscapes, ExternalID.isValid(utf8: reader.rawBytes(of: token)) {
            return reader.string(of: token)
        }
        let utf8 = reader.decodedBytes(of: token)
        let valid = utf8.withUnsafeBytes { ExternalID.isValid(utf8: $0) }
        guard valid else { throw .invalidExternalID(Self.externalIDProblem(utf8)) }
        return String(decoding: utf8, as: UTF8.self)
    }

    func occurredAt() throws(RejectReason) -> Timestamp {
        let (reader, token) = try requiredString(.occurredAt)
        let parsed: Timestamp?
        if token.hasEscapes {
            parsed = Timestamp.parseRFC3339(utf8: reader.decodedBytes(of: token))
        } else {
            parsed = Timestamp.parseRFC3339(utf8: reader.rawBytes(of: token))
        }
        guard let parsed else { throw .invalidOccurredAt(Self.shown(reader.decodedBytes(of: token))) }
        return parsed
    }

    /// `email`, `name` or `phone`: absent, null (clear) or a string.
    func profileString(_ field: EventField) throws(RejectReason) -> FieldChange<String> {
        guard let offset = offsets[field] else { return .absent }
        let reader = JSONByteReader(bytes: bytes, position: offset)
        switch reader.current {
        case JSONByte.lowerN:
            return .clear
        case JSONByte.quote:
            // Personal data: the message names the field and the size only.
            var reader = reader
            return .set(try limitedString(&reader, describedAs: "field '\(field.displayName)'"))
        default:
            throw .wrongType(
                field.displayName, expected: "a string or null", got: JSONByteReader.kindName(startingWith: reader.current))
        }
    }

    /// `custom_attributes`: name → string, number, boolean or null, in order of
    /// first appearance; a repeated name keeps its first place and its last value.
    func customAttributes() throws(RejectReason) -> [(name: String, value: AttributeValue)] {
        guard let offset = offsets[.customAttributes] else { return [] }
        var reader = JSONByteReader(bytes: bytes, position: offset)
        guard reader.current == JSONByte.openBrace else {
            throw .wrongType(
                "custom_attributes", expected: "an object", got: JSONByteReader.kindName(startingWith: reader.current))
        }
        reader.position &+= 1
        var attributes: [(name: String, value: AttributeValue)] = []
        var entries = 0
        if reader.peekAfterWhitespace() == JSONByte.closeBrace { return attributes }
        attributes.reserveCapacity(4)  // most events carry a few: one allocation, not one per doubling
        while true {
            let key = try checked { () throws(JSONReadError) in try reader.readKey() }
            entries &+= 1
            guard entries <= limits.maxAttributes else { throw .tooManyAttributes(limit: limits.maxAttributes) }
            let name = try attributeName(key, in: reader)
            reader.skipWhitespace()
            let value = try attributeValue(named: name, reader: &reader)
            if let existing = attributes.firstIndex(where: { $0.name == name }) {
                attributes[existing].value = value
            } else {
                attributes.append((name: name, value: value))
            }
            let next = reader.peekAfterWhitespace()
            reader.position &+= 1
            if next != JSONByte.comma { return attributes }  // '}': the first pass checked the grammar
        }
    }

    private func attributeName(_ key: JSONStringToken, in reader: JSONByteReader) throws(RejectReason) -> String {
        if !key.hasEscapes, AttributeName.isValid(utf8: reader.rawBytes(of: key)) {
            return reader.string(of: key)
        }
        let utf8 = reader.decodedBytes(of: key)
        guard utf8.withUnsafeBytes({ AttributeName.isValid(utf8: $0) }) else {
            throw .invalidAttributeName(Self.shown(utf8))
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The attribute value at the cursor; leaves the cursor after it.
    private func attributeValue(named name: String, reader: inout JSONByteReader) throws(RejectReason)
        -> AttributeValue
    {
        switch reader.current {
        case JSONByte.quote:
            return .string(try limitedString(&reader, describedAs: "custom attribute '\(name)'"))
        case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN:
            switch try checked({ () throws(JSONReadError) in try reader.readLiteral() }) {
            case .true: return .bool(true)
            case .false: return .bool(false)
            case .null: return .null
            }
        case .some(let byte) where byte == JSONByte.minus || JSONByte.isDigit(byte):
            let range = try checked { () throws(JSONReadError) in try reader.scanNumber() }
            guard let number = reader.doubleValue(of: range) else { throw .numberOutOfRange(attribute: name) }
            return .number(number)
        default:
            throw .invalidAttributeValue(name, got: JSONByteReader.kindName(startingWith: reader.current))
        }
    }

    /// The string at the cursor, at most `maxStringBytes` once unescaped; leaves the cursor after it.
    private func limitedString(_ reader: inout JSONByteReader, describedAs what: @autoclosure () -> String)
        throws(RejectReason)
        -> String
    {
        let token = try checked { () throws(JSONReadError) in try reader.scanString() }
        let limit = limits.maxStringBytes
        // Unescaping only shrinks a string, so a short raw form is within the limit.
        if token.rawByteCount <= limit { return reader.string(of: token) }
        let utf8 = reader.decodedBytes(of: token)
        guard utf8.count <= limit else { throw .stringTooLong(what(), bytes: utf8.count, limit: limit) }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// A required field that must be a string: a reader on it and its token.
    private func requiredString(_ field: EventField) throws(RejectReason) -> (JSONByteReader, JSONStringToken) {
        guard let offset = offsets[field] else { throw .missingField(field.displayName) }
        var reader = JSONByteReader(bytes: bytes, position: offset)
        guard reader.current == JSONByte.quote else {
            throw .wrongType(
                field.displayName, expected: "a string", got: JSONByteReader.kindName(startingWith: reader.current))
        }
        let token = try checked { () throws(JSONReadError) in try reader.scanString() }
        return (reader, token)
    }

    /// Runs a reader step the first pass has already proven to succeed; should
    /// it fail anyway, the record is reported as malformed rather than trapping.
    private func checked<T>(_ step: () throws(JSONReadError) -> T) throws(RejectReason) -> T {
        do {
            return try step()
        } catch {
            throw .json(error)
        }
    }

    /// Why an external_id fails the pattern, without echoing unusual bytes.
    private static func externalIDProblem(_ utf8: [UInt8]) -> String {
        let characters = scalarCount(utf8)
        if characters == 0 { return "an empty string" }
        if characters > ExternalID.maxLength { return "\(characters) characters" }
        var position = 0
        for byte in utf8 where byte & 0xC0 != 0x80 {
            position &+= 1
            if !ExternalID.isAllowed(byte) {
                return "a character not allowed at position \(position)"
            }
        }
        return "\(characters) characters"
    }

    /// A short, plain-ASCII value quoted for a message; anything else only by size.
    /// Used only for fields that hold no personal data.
    private static func shown(_ utf8: [UInt8]) -> String {
        let isPlain = utf8.count <= 40
            && utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != JSONByte.quote && $0 != JSONByte.backslash }
        return isPlain ? "\"\(String(decoding: utf8, as: UTF8.self))\"" : "\(utf8.count) bytes"
    }
}
