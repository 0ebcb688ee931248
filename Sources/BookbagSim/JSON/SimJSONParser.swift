/// A small strict JSON parser (RFC 8259) working on UTF-8 bytes.
public enum SimJSONParser {
    public struct ParseError: Error, Equatable, Sendable {
        public let offset: Int
    }

    /// Nesting deeper than this is refused: contact bodies are at most three levels deep.
    static let maximumDepth = 32

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> SimJSONValue {
        var cursor = Cursor(bytes: bytes)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        guard cursor.index == bytes.count else { throw ParseError(offset: cursor.index) }
        return value
    }

    /// Parses an upsert body and also returns, for the top-level `users` and `contacts` arrays,
    /// each element's text exactly as received (for the upsert log).
    static func parseCapturingEntries(
        _ bytes: UnsafeRawBufferPointer
    ) throws(ParseError) -> (value: SimJSONValue, rawEntries: [String: [String]]) {
        var cursor = Cursor(bytes: bytes)
        cursor.capturesEntries = true
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        guard cursor.index == bytes.count else { throw ParseError(offset: cursor.index) }
        let rawEntries = cursor.capturedRanges.mapValues { ranges in
            ranges.map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
        return (value, rawEntries)
    }

    public static func parse(_ text: String) throws(ParseError) -> SimJSONValue {
        var text = text
        // withUTF8 only rethrows untyped errors, so carry the outcome out as a Result.
        let outcome = text.withUTF8 { utf8 in
            Result { () throws(ParseError) -> SimJSONValue in try parse(UnsafeRawBufferPointer(utf8)) }
        }
        return try outcome.get()
    }

    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        /// Whether to record element ranges of the root object's `users`/`contacts` arrays.
        var capturesEntries = false
        /// Set by the root object just before parsing such an array.
        var capturingKey: String?
        var capturedRanges: [String: [Range<Int>]] = [:]

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        var failure: ParseError { ParseError(offset: index) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    index += 1
                default:
                    return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(ParseError) -> SimJSONValue {
            guard index < bytes.count, depth <= SimJSONParser.maximumDepth else { throw failure }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            default: return .number(try parseNumber())
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(ParseError) {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw failure }
            let literalBytes = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
            for offset in 0..<count where bytes[index + offset] != literalBytes[offset] {
                throw failure
            }
            index += count
        }

        mutating func parseObject(depth: Int) throws(ParseError) -> SimJSONValue {
            index += 1  // "{"
            // Sized for a typical contact entry, so small objects never rehash while growing.
            var members = [String: SimJSONValue](minimumCapacity: 6)
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object([:])
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure }
                index += 1
                skipWhitespace()
                if capturesEntries, depth == 1, key == "users" || key == "contacts" {
                    capturingKey = key
                    capturedRanges[key] = nil
                }
                members[key] = try parseValue(depth: depth)
                capturingKey = nil
                skipWhitespace()
                guard index < bytes.count else { throw failure }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw failure
                }
            }
        }

        mutating func parseArray(depth: Int) throws(ParseError) -> SimJSONValue {
            index += 1  // "["
            let capturedKey = capturingKey
            capturingKey = nil  // nested arrays are not captured
            var elements: [SimJSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                let start = index
                elements.append(try parseValue(depth: depth))
                if let capturedKey { capturedRanges[capturedKey, default: []].append(start..<index) }
                skipWhitespace()
                guard index < bytes.count else { throw failure }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw failure
                }
            }
        }

        mutating func parseString() throws(ParseError) -> String {
            index += 1  // opening quote
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure }
                index += 1
            }
            var scalars: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: scalars, as: UTF8.self)
                }
                if byte < 0x20 { throw failure }
                if byte != UInt8(ascii: "\\") {
                    scalars.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { throw failure }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    scalars.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    throw failure
                }
            }
            throw failure
        }

        /// Reads the hex digits after `\u`, combining a surrogate pair when present.
        mutating func parseUnicodeEscape() throws(ParseError) -> Unicode.Scalar {
            let first = try parseHex4()
            if (0xD800...0xDBFF).contains(first) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw failure }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else { throw failure }
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                guard let scalar = Unicode.Scalar(combined) else { throw failure }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else { throw failure }
            return scalar
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw failure }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw failure
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// Checks the RFC 8259 number grammar, then lets the standard library convert.
        mutating func parseNumber() throws(ParseError) -> Double {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw ParseError(offset: start) }
            return value
        }

        func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
    }
}
