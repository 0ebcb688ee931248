/// Why a clock changelog value could not be read.
public struct ClockRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension ClockChangelogRecord {
    /// Reads a changelog value: exactly the shape `jsonBytes()` writes (any
    /// whitespace, any key order, 1 to 9 fraction digits), nothing else: an
    /// unknown or repeated key is an error. Never traps.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<ClockChangelogRecord, ClockRecordError> {
        if let offset = UTF8Validation.firstInvalidOffset(in: bytes) {
            return .failure(ClockRecordError("not UTF-8 (invalid byte at offset \(offset))"))
        }
        var parser = ClockRecordParser(reader: JSONByteReader(bytes: bytes))
        do {
            return .success(try parser.record())
        } catch {
            return .failure(error)
        }
    }

    /// `decode(_:)` on an array.
    public static func decode(_ bytes: [UInt8]) -> Result<ClockChangelogRecord, ClockRecordError> {
        bytes.withUnsafeBytes { decode($0) }
    }
}

/// Reads one clock record with the byte-level JSON reader.
private struct ClockRecordParser {
    var reader: JSONByteReader

    mutating func record() throws(ClockRecordError) -> ClockChangelogRecord {
        var externalID: String?
        var writer: String?
        var clocks: ContactClocks?
        try members(of: "the record") { (parser, key) throws(ClockRecordError) in
            if parser.reader.token(key, equals: "external_id") {
                guard externalID == nil else { throw ClockRecordError("external_id appears twice") }
                let text = try parser.string(describedAs: "external_id")
                guard ExternalID.isValid(text) else {
                    throw ClockRecordError("external_id does not match \(ExternalID.pattern)")
                }
                externalID = text
            } else if parser.reader.token(key, equals: "writer") {
                guard writer == nil else { throw ClockRecordError("writer appears twice") }
                let text = try parser.string(describedAs: "writer")
                guard !text.isEmpty else { throw ClockRecordError("writer is empty") }
                writer = text
            } else if parser.reader.token(key, equals: "fields") {
                guard clocks == nil else { throw ClockRecordError("fields appears twice") }
                clocks = try parser.fields()
            } else {
                throw ClockRecordError("unknown key '\(parser.shown(key))' in the record")
            }
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw ClockRecordError("unexpected bytes after the record at byte \(reader.position)") }
        guard let externalID else { throw ClockRecordError("external_id is missing") }
        guard let clocks else { throw ClockRecordError("fields is missing") }
        return ClockChangelogRecord(externalID: externalID, clocks: clocks, writer: writer)
    }

    private mutating func fields() throws(ClockRecordError) -> ContactClocks {
        var clocks = ContactClocks()
        var sawAttributes = false
        try members(of: "fields") { (parser, key) throws(ClockRecordError) in
            let field: ContactField
            if parser.reader.token(key, equals: "email") {
                field = .email
            } else if parser.reader.token(key, equals: "name") {
                field = .name
            } else if parser.reader.token(key, equals: "phone") {
                field = .phone
            } else if parser.reader.token(key, equals: "custom_attributes") {
                guard !sawAttributes else { throw ClockRecordError("fields.custom_attributes appears twice") }
                sawAttributes = true
                try parser.members(of: "fields.custom_attributes") { (parser, name) throws(ClockRecordError) in
                    let attribute = ContactField.attribute(parser.reader.string(of: name))
                    let path = "fields.custom_attributes.\(parser.shown(name))"
                    try Self.add(attribute, try parser.clock(describedAs: path), to: &clocks, path)
                }
                return
            } else {
                throw ClockRecordError("unknown field '\(parser.shown(key))' in fields")
            }
            let path = "fields.\(parser.shown(key))"
            try Self.add(field, try parser.clock(describedAs: path), to: &clocks, path)
        }
        return clocks
    }

    private static func add(
        _ field: ContactField, _ clock: FieldClock, to clocks: inout ContactClocks, _ path: String
    ) throws(ClockRecordError) {
        guard clocks.clock(for: field) == nil else { throw ClockRecordError("\(path) appears twice") }
        clocks.merge(field, clock)
    }

    private mutating func clock(describedAs what: String) throws(ClockRecordError) -> FieldClock {
        var occurredAt: Timestamp?
        var digest: UInt64?
        try members(of: what) { (parser, key) throws(ClockRecordError) in
            if parser.reader.token(key, equals: "occurred_at") {
                guard occurredAt == nil else { throw ClockRecordError("\(what).occurred_at appears twice") }
                let token = try parser.stringToken(describedAs: "\(what).occurred_at")
                let parsed = parser.reader.rawBytesIfPlain(token).flatMap { Timestamp.parseRFC3339UTCNanos(utf8: $0) }
                guard let parsed else {
                    throw ClockRecordError(
                        "\(what).occurred_at is not RFC 3339 in UTC"
                            + " (YYYY-MM-DDTHH:MM:SS[.fraction]Z, at most 9 fraction digits)")
                }
                occurredAt = parsed
            } else if parser.reader.token(key, equals: "digest") {
                guard digest == nil else { throw ClockRecordError("\(what).digest appears twice") }
                let token = try parser.stringToken(describedAs: "\(what).digest")
                guard let parsed = parser.reader.rawBytesIfPlain(token).flatMap(Self.hexDigest) else {
                    throw ClockRecordError("\(what).digest is not 16 lowercase hex digits")
                }
                digest = parsed
            } else {
                throw ClockRecordError("unknown key '\(parser.shown(key))' in \(what)")
            }
        }
        guard let occurredAt else { throw ClockRecordError("\(what).occurred_at is missing") }
        guard let digest else { throw ClockRecordError("\(what).digest is missing") }
        return FieldClock(occurredAt: occurredAt, digest: digest)
    }

    /// Reads an object at the cursor, calling `member` with the parser at each
    /// member's value (which `member` must consume) and the member's key.
    private mutating func members(
        of what: String, _ member: (inout ClockRecordParser, JSONStringToken) throws(ClockRecordError) -> Void
    ) throws(ClockRecordError) {
        guard reader.peekAfterWhitespace() == JSONByte.openBrace else {
            throw ClockRecordError(
                "\(what) must be an object, not \(JSONByteReader.kindName(startingWith: reader.current))")
        }
        reader.position &+= 1
        if reader.peekAfterWhitespace() == JSONByte.closeBrace {
            reader.position &+= 1
            return
        }
        while true {
            let key = try json { (reader) throws(JSONReadError) in try reader.readKey() }
            try member(&self, key)
            let next = reader.peekAfterWhitespace()
            if next == JSONByte.comma {
                reader.position &+= 1
            } else if next == JSONByte.closeBrace {
                reader.position &+= 1
                return
            } else {
                throw ClockRecordError("malformed JSON at byte \(reader.position): expected ',' or '}' in \(what)")
            }
        }
    }

    private mutating func stringToken(describedAs what: String) throws(ClockRecordError) -> JSONStringToken {
        guard reader.peekAfterWhitespace() == JSONByte.quote else {
            throw ClockRecordError("\(what) must be a string, not \(JSONByteReader.kindName(startingWith: reader.current))")
        }
        return try json { (reader) throws(JSONReadError) in try reader.scanString() }
    }

    private mutating func string(describedAs what: String) throws(ClockRecordError) -> String {
        reader.string(of: try stringToken(describedAs: what))
    }

    /// A key as shown in a message: its first 64 scalars, control characters as `?`.
    func shown(_ key: JSONStringToken) -> String {
        let scalars = reader.string(of: key).unicodeScalars
        var shown = String.UnicodeScalarView()
        for scalar in scalars.prefix(64) {
            shown.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return String(shown) + (scalars.count > 64 ? "…" : "")
    }

    private mutating func json<T>(_ body: (inout JSONByteReader) throws(JSONReadError) -> T) throws(ClockRecordError) -> T {
        do {
            return try body(&reader)
        } catch {
            throw ClockRecordError("malformed JSON at byte \(error.offset): \(error.detail)")
        }
    }

    private static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

extension JSONByteReader {
    /// The bytes of a string token without escapes; nil when it has escapes
    /// (timestamps and digests never need one).
    fileprivate func rawBytesIfPlain(_ token: JSONStringToken) -> UnsafeRawBufferPointer? {
        token.hasEscapes ? nil : rawBytes(of: token)
    }
}
