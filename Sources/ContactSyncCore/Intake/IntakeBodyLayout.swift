/// Where the events of a webhook body lie, as byte ranges of the body, found
/// in one pass that also checks the body is one JSON object (whitespace around
/// allowed, nothing after it) nesting at most `maxDepth` levels.
enum IntakeBodyLayout: Equatable {
    /// No `events` member: the top-level object is the event.
    case single(Range<Int>)
    /// The elements of `events`, in order (each any JSON value: the event
    /// decoder judges them), and how many there are. Past `maxEvents` the
    /// ranges are counted but not kept, so a huge array costs no memory.
    case batch([Range<Int>], count: Int)

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, maxEvents: Int) throws(IntakeBodyRejection) {
        var reader = JSONByteReader(bytes: bytes)
        let scan: TopLevel
        do throws(JSONReadError) {
            scan = try Self.scanTopLevel(&reader, maxDepth: maxDepth, maxEvents: maxEvents)
        } catch {
            throw .json(error)
        }
        switch scan {
        case .notAnObject(let kind): throw .notAnObject(got: kind)
        case .duplicateEvents: throw .duplicateEvents
        case .event(let range): self = .single(range)
        case .eventsNotAnArray(let kind): throw .eventsNotAnArray(got: kind)
        case .batch(let ranges, let count): self = .batch(ranges, count: count)
        }
    }

    /// What the grammar pass found.
    private enum TopLevel {
        case notAnObject(String)
        /// Two `events` members: refused rather than picking one, as JSON parsers differ on which.
        case duplicateEvents
        /// An object without `events`.
        case event(Range<Int>)
        case eventsNotAnArray(String)
        case batch([Range<Int>], count: Int)
    }

    private static func scanTopLevel(_ reader: inout JSONByteReader, maxDepth: Int, maxEvents: Int)
        throws(JSONReadError) -> TopLevel
    {
        guard reader.peekAfterWhitespace() == JSONByte.openBrace else {
            // Tell a well-formed non-object from garbage.
            let kind = JSONByteReader.kindName(startingWith: reader.current)
            try reader.skipValue(enclosingDepth: 0, maxDepth: maxDepth)
            try requireEnd(of: &reader)
            return .notAnObject(kind)
        }
        guard maxDepth >= 1 else { throw .tooDeep(limit: maxDepth, at: reader.position) }
        let objectStart = reader.position
        reader.position &+= 1
        var eventsMembers = 0
        var events: TopLevel? = nil
        if reader.peekAfterWhitespace() == JSONByte.closeBrace {
            reader.position &+= 1
        } else {
            members: while true {
                let key = try reader.readKey()
                reader.skipWhitespace()
                if reader.token(key, equals: "events") {
                    eventsMembers &+= 1
                    if reader.current == JSONByte.openBracket {
                        events = try scanElements(&reader, maxDepth: maxDepth, keep: maxEvents)
                    } else {
                        events = .eventsNotAnArray(JSONByteReader.kindName(startingWith: reader.current))
                        try reader.skipValue(enclosingDepth: 1, maxDepth: maxDepth)
                    }
                } else {
                    try reader.skipValue(enclosingDepth: 1, maxDepth: maxDepth)
                }
                switch reader.peekAfterWhitespace() {
                case JSONByte.comma:
                    reader.position &+= 1
                case JSONByte.closeBrace:
                    reader.position &+= 1
                    break members
                case nil:
                    throw .malformed("unterminated object", at: reader.position)
                default:
                    throw .malformed("expected ',' or '}'", at: reader.position)
                }
            }
        }
        let objectEnd = reader.position
        try requireEnd(of: &reader)
        if eventsMembers > 1 { return .duplicateEvents }
        return events ?? .event(objectStart..<objectEnd)
    }

    /// Reads the `events` array at the cursor (its `[`), an array at level 2.
    private static func scanElements(_ reader: inout JSONByteReader, maxDepth: Int, keep: Int)
        throws(JSONReadError) -> TopLevel
    {
        guard maxDepth >= 2 else { throw .tooDeep(limit: maxDepth, at: reader.position) }
        reader.position &+= 1
        var ranges: [Range<Int>] = []
        var count = 0
        if reader.peekAfterWhitespace() == JSONByte.closeBracket {
            reader.position &+= 1
            return .batch(ranges, count: 0)
        }
        while true {
            reader.skipWhitespace()
            let start = reader.position
            try reader.skipValue(enclosingDepth: 2, maxDepth: maxDepth)
            if count < keep { ranges.append(start..<reader.position) }
            count &+= 1
            switch reader.peekAfterWhitespace() {
            case JSONByte.comma:
                reader.position &+= 1
            case JSONByte.closeBracket:
                reader.position &+= 1
                return .batch(ranges, count: count)
            case nil:
                throw .malformed("unterminated array", at: reader.position)
            default:
                throw .malformed("expected ',' or ']'", at: reader.position)
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
