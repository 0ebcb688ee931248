/// A forward-only cursor over the UTF-8 bytes of one JSON text (RFC 8259).
///
/// It checks the grammar as it goes and builds no tree: callers take the
/// pieces they keep (strings, numbers) and skip the rest without allocating.
/// The bytes must stay alive while the reader is used, and should already be
/// known to be valid UTF-8 (string contents are passed through as they are).
public struct JSONByteReader {
    let bytes: UnsafeRawBufferPointer
    public internal(set) var position: Int

    public init(bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var isAtEnd: Bool { position >= bytes.count }

    /// The byte at the cursor, or nil at the end.
    @inline(__always)
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count && JSONByte.isWhitespace(bytes[position]) {
            position &+= 1
        }
    }

    /// Skips whitespace and returns the next byte without consuming it (nil at the end).
    @inline(__always)
    public mutating func peekAfterWhitespace() -> UInt8? {
        skipWhitespace()
        return current
    }

    /// Skips whitespace, then consumes `byte` or fails with `detail`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ detail: @autoclosure () -> String) throws(JSONReadError) {
        skipWhitespace()
        guard current == byte else { throw .malformed(detail(), at: position) }
        position &+= 1
    }

    /// Consumes `true`, `false` or `null` at the cursor and returns which.
    mutating func readLiteral() throws(JSONReadError) -> JSONLiteral {
        let literal: JSONLiteral
        switch current {
        case JSONByte.lowerT: literal = .true
        case JSONByte.lowerF: literal = .false
        case JSONByte.lowerN: literal = .null
        default: throw .malformed("expected true, false or null", at: position)
        }
        let spelling = literal.spelling
        guard bytes.count &- position >= spelling.count else {
            throw .malformed("expected \(literal)", at: position)
        }
        for (offset, byte) in spelling.enumerated() where bytes[position &+ offset] != byte {
            throw .malformed("expected \(literal)", at: position)
        }
        position &+= spelling.count
        return literal
    }

    /// A short name for the kind of value starting with `byte`, for messages.
    static func kindName(startingWith byte: UInt8?) -> String {
        switch byte {
        case JSONByte.quote: return "a string"
        case JSONByte.openBrace: return "an object"
        case JSONByte.openBracket: return "an array"
        case JSONByte.lowerT, JSONByte.lowerF: return "a boolean"
        case JSONByte.lowerN: return "null"
        case .some(let b) where b == JSONByte.minus || JSONByte.isDigit(b): return "a number"
        default: return "nothing"
        }
    }
}

/// The three JSON literals.
enum JSONLiteral: CustomStringConvertible {
    case `true`, `false`, null

    var spelling: [UInt8] {
        switch self {
        case .true: return JSONLiteral.trueBytes
        case .false: return JSONLiteral.falseBytes
        case .null: return JSONLiteral.nullBytes
        }
    }

    var description: String {
        switch self {
        case .true: return "true"
        case .false: return "false"
        case .null: return "null"
        }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
}
