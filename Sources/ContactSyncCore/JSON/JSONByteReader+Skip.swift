extension JSONByteReader {
    /// Skips one value at the cursor (after whitespace), checking its grammar
    /// and that its containers nest no deeper than `maxDepth`.
    ///
    /// Iterative, so hostile nesting cannot overflow the stack; depth is checked
    /// before a container is entered. `enclosingDepth` is the number of
    /// containers already open around the value (1 for a top-level field).
    public mutating func skipValue(enclosingDepth: Int, maxDepth: Int) throws(JSONReadError) {
        var open = ContainerStack()
        while true {
            // A value is expected here.
            skipWhitespace()
            guard let byte = current else {
                throw .malformed("expected a value", at: position)
            }
            switch byte {
            case JSONByte.openBrace, JSONByte.openBracket:
                guard open.count < maxDepth &- enclosingDepth else {
                    throw .tooDeep(limit: maxDepth, at: position)
                }
                let isObject = byte == JSONByte.openBrace
                position &+= 1
                let closer = isObject ? JSONByte.closeBrace : JSONByte.closeBracket
                if peekAfterWhitespace() == closer {
                    position &+= 1
                } else {
                    open.push(isObject: isObject)
                    if isObject { try skipKeyAndColon() }
                    continue
                }
            case JSONByte.quote:
                _ = try scanString()
            case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN:
                _ = try readLiteral()
            case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                _ = try scanNumber()
            default:
                throw .malformed("unexpected character where a value was expected", at: position)
            }
            // A value is complete: close containers, or move on to the next element.
            while let isObject = open.innermostIsObject {
                skipWhitespace()
                guard let next = current else {
                    throw .malformed(isObject ? "unterminated object" : "unterminated array", at: position)
                }
                if next == JSONByte.comma {
                    position &+= 1
                    if isObject { try skipKeyAndColon() }
                    break
                }
                guard next == (isObject ? JSONByte.closeBrace : JSONByte.closeBracket) else {
                    throw .malformed(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: position)
                }
                position &+= 1
                open.pop()
            }
            if open.isEmpty { return }
        }
    }

    /// Consumes `"key" :` (with any whitespace) inside an object.
    mutating func skipKeyAndColon() throws(JSONReadError) {
        _ = try readKey()
    }

    /// Consumes `"key" :` (with any whitespace) inside an object and returns the key.
    mutating func readKey() throws(JSONReadError) -> JSONStringToken {
        guard peekAfterWhitespace() == JSONByte.quote else {
            throw .malformed("expected a string as object key", at: position)
        }
        let key = try scanString()
        try expect(JSONByte.colon, "expected ':' after an object key")
        return key
    }
}
