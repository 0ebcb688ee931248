extension JSONByteReader {
    /// Reads the value at the cursor (after whitespace) into a tree. `depth`
    /// counts the containers open around it; a value deeper than `maxDepth` is
    /// refused, which also bounds this recursion.
    public mutating func readValue(depth: Int = 0, maxDepth: Int) throws(JSONReadError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth, at: position) }
        switch peekAfterWhitespace() {
        case JSONByte.openBrace:
            // Sized for a typical contact entry, so small objects never rehash while growing.
            var members = [String: JSONValue](minimumCapacity: 6)
            try readObject { (key, reader: inout JSONByteReader) throws(JSONReadError) in
                members[key] = try reader.readValue(depth: depth &+ 1, maxDepth: maxDepth)
            }
            return .object(members)
        case JSONByte.openBracket:
            var elements: [JSONValue] = []
            try readArray { (reader: inout JSONByteReader) throws(JSONReadError) in
                elements.append(try reader.readValue(depth: depth &+ 1, maxDepth: maxDepth))
            }
            return .array(elements)
        case JSONByte.quote:
            return .string(string(of: try scanString()))
        case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN:
            switch try readLiteral() {
            case .true: return .bool(true)
            case .false: return .bool(false)
            case .null: return .null
            }
        case .some(let byte) where byte == JSONByte.minus || JSONByte.isDigit(byte):
            let range = try scanNumber()
            guard let number = doubleValue(of: range) else {
                throw .malformed("number out of range", at: range.lowerBound)
            }
            return .number(number)
        default:
            throw .malformed("expected a value", at: position)
        }
    }

    /// Reads an object (after whitespace); `member` gets each key with the
    /// cursor at its value, and must consume that value.
    public mutating func readObject(
        _ member: (String, inout JSONByteReader) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
        try expect(JSONByte.openBrace, "expected an object")
        if peekAfterWhitespace() == JSONByte.closeBrace {
            position &+= 1
            return
        }
        repeat {
            let key = string(of: try readKey())
            try member(key, &self)
        } while try consumeSeparator(closer: JSONByte.closeBrace)
    }

    /// Reads an array (after whitespace); `element` is called with the cursor
    /// before each element, and must consume it.
    public mutating func readArray(_ element: (inout JSONByteReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        try expect(JSONByte.openBracket, "expected an array")
        if peekAfterWhitespace() == JSONByte.closeBracket {
            position &+= 1
            return
        }
        repeat {
            try element(&self)
        } while try consumeSeparator(closer: JSONByte.closeBracket)
    }

    /// Fails unless only whitespace is left.
    public mutating func expectEnd() throws(JSONReadError) {
        guard peekAfterWhitespace() == nil else { throw .malformed("unexpected text after the value", at: position) }
    }

    /// After a member or element: true past a comma, false past `closer`.
    private mutating func consumeSeparator(closer: UInt8) throws(JSONReadError) -> Bool {
        switch peekAfterWhitespace() {
        case JSONByte.comma:
            position &+= 1
            return true
        case closer:
            position &+= 1
            return false
        default:
            throw .malformed(closer == JSONByte.closeBrace ? "expected ',' or '}'" : "expected ',' or ']'", at: position)
        }
    }
}
