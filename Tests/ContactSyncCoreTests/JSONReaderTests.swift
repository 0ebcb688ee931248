import Testing

@testable import ContactSyncCore

@Suite("JSON byte reader")
struct JSONReaderTests {
    /// Skips one value in `json`; returns where the reader stopped, or the error.
    private func skip(_ json: String, maxDepth: Int = 32) -> Result<Int, JSONReadError> {
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBytes { buffer in
            var reader = JSONByteReader(bytes: buffer)
            do throws(JSONReadError) {
                try reader.skipValue(enclosingDepth: 0, maxDepth: maxDepth)
                return .success(reader.position)
            } catch {
                return .failure(error)
            }
        }
    }

    private func decodedString(_ json: String) -> String? {
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBytes { buffer -> String? in
            var reader = JSONByteReader(bytes: buffer)
            guard let token = try? reader.scanString() else { return nil }
            return reader.string(of: token)
        }
    }

    private func number(_ json: String) -> Double?? {
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBytes { buffer -> Double?? in
            var reader = JSONByteReader(bytes: buffer)
            guard let range = try? reader.scanNumber(), reader.isAtEnd else { return .none }
            return .some(reader.doubleValue(of: range))
        }
    }

    @Test(arguments: [
        "0", "-0", "12", "-1.5e+10", "2E-3", "true", "false", "null", #""""#, #""a\"b""#, "[]", "{}",
        #"{"a":[1,{"b":null}],"c":"d"}"#, " [ 1 , 2 ] ", #"{"":""}"#, #""\ud83d\ude00""#,
    ])
    func skipsWellFormedValues(_ json: String) throws {
        let end = json.utf8.count - json.reversed().prefix { $0 == " " }.count
        #expect(try skip(json).get() == end)
    }

    @Test func stopsRightAfterTheValue() throws {
        #expect(try skip(#"{"a":1},{"b":2}"#).get() == 7)
        #expect(try skip("[1]]").get() == 3)
        #expect(try skip("123abc").get() == 3)
    }

    @Test(arguments: [
        "", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "tru", "nul", "fals",
        "01", "-01", "1.", ".5", "-", "1e", "1e+", "+1", "\"\\x\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"abc",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"", "\"a\u{01}b\"", "\"\\", "[1 2]", "{\"a\":1 \"b\":2}",
    ])
    func rejectsMalformedValues(_ json: String) {
        guard case .failure(let error) = skip(json) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(error.kind == .malformed)
    }

    @Test func reportsWhereAndWhy() {
        guard case .failure(let error) = skip(#"{"a":1 "b":2}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.offset == 7)
        #expect(error.detail == "expected ',' or '}'")
    }

    @Test func enforcesTheDepthLimitBeforeEntering() throws {
        #expect(try skip("[[[]]]", maxDepth: 3).get() == 6)
        guard case .failure(let error) = skip("[[[[]]]]", maxDepth: 3) else {
            Issue.record("accepted")
            return
        }
        #expect(error.kind == .tooDeep)
        #expect(error.offset == 3)
        let hostile = String(repeating: "[", count: 100_000)
        guard case .failure(let deep) = skip(hostile) else {
            Issue.record("accepted")
            return
        }
        #expect(deep.kind == .tooDeep)
        #expect(deep.offset == 32)
    }

    @Test func tracksContainerKindsBeyond64Levels() throws {
        let levels = 150
        let mixed = String(repeating: #"{"k":["#, count: levels) + String(repeating: "]}", count: levels)
        #expect(try skip(mixed, maxDepth: 2 * levels).get() == mixed.utf8.count)
        let swapped = String(repeating: #"{"k":["#, count: levels) + "}" + String(repeating: "]}", count: levels)
        #expect(throws: JSONReadError.self) { try skip(swapped, maxDepth: 2 * levels).get() }

        var stack = ContainerStack()
        for level in 0..<130 { stack.push(isObject: level % 3 == 0) }
        for level in (0..<130).reversed() {
            #expect(stack.innermostIsObject == (level % 3 == 0))
            stack.pop()
        }
        #expect(stack.innermostIsObject == nil)
        #expect(stack.isEmpty)
    }

    @Test func decodesStringEscapes() {
        #expect(decodedString(#""plain""#) == "plain")
        #expect(decodedString(#""q\"b\\s\/""#) == "q\"b\\s/")
        #expect(decodedString(#""\b\f\n\r\t""#) == "\u{8}\u{C}\n\r\t")
        #expect(decodedString(#""\u0041\u00e9\u20ac""#) == "Aé€")
        #expect(decodedString(#""\uD83D\uDE00!""#) == "😀!")
        #expect(decodedString(#""\u0000""#) == "\u{0}")
        #expect(decodedString("\"raw ü 😀\"") == "raw ü 😀")
        #expect(decodedString(#""\ud800""#) == nil)
    }

    @Test func findsSpecialBytesAtEveryPositionOfALongString() {
        // The scanner skips eight plain bytes at a time; each special byte must
        // still be seen wherever it falls, next to ASCII or multi-byte text.
        for filler in ["a", "é", "😀"] {
            for offset in 0..<20 {
                let prefix = String(repeating: filler, count: offset)
                let suffix = String(repeating: filler, count: 9)
                #expect(decodedString("\"\(prefix)\\\"\(suffix)\"") == prefix + "\"" + suffix)
                #expect(decodedString("\"\(prefix)\\n\(suffix)\"") == prefix + "\n" + suffix)
                #expect(decodedString("\"\(prefix)\u{1F}\(suffix)\"") == nil)
                #expect(decodedString("\"\(prefix)\u{0}\(suffix)\"") == nil)
                #expect(decodedString("\"\(prefix)\u{7F}\(suffix)\"") == prefix + "\u{7F}" + suffix)
                #expect(decodedString("\"\(prefix)\"\(suffix)\"") == prefix)
            }
        }
    }

    @Test func comparesKeysWithAndWithoutEscapes() {
        let bytes = Array(#""type" "\u0074ype" "typ" "types""#.utf8)
        bytes.withUnsafeBytes { buffer in
            var reader = JSONByteReader(bytes: buffer)
            var results: [Bool] = []
            for _ in 0..<4 {
                reader.skipWhitespace()
                guard let token = try? reader.scanString() else { return }
                results.append(reader.token(token, equals: "type"))
            }
            #expect(results == [true, true, false, false])
        }
    }

    @Test func parsesNumbersCorrectlyRounded() {
        let cases: [String] = [
            "0", "-0", "1", "-1", "0.1", "0.3", "1.5", "123.456", "1e22", "1e23", "9007199254740993",
            "123456789012345678901234567890", "2.2250738585072014e-308", "4.9e-324", "0.000001", "1.7976931348623157e308",
            "3.141592653589793238462643383279", "12345678901234567890e-10",
        ]
        for text in cases {
            #expect(number(text) == .some(Double(text)), "\(text)")
        }
        #expect(number("-0")??.sign == .minus)
        #expect(number("1e400") == .some(nil))
        #expect(number("-1e400") == .some(nil))
        #expect(number("1e-400") == .some(0))
    }

    @Test func validatesUTF8() {
        func firstInvalid(_ bytes: [UInt8]) -> Int? {
            bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
        }
        #expect(firstInvalid(Array("plain ascii, long enough for words".utf8)) == nil)
        #expect(firstInvalid(Array("é € 😀 \u{10FFFF} \u{FFFD}".utf8)) == nil)
        #expect(firstInvalid([]) == nil)
        #expect(firstInvalid(Array("12345678".utf8) + [0xFF]) == 8)
        #expect(firstInvalid([0x41, 0xC0, 0xAF]) == 1)  // overlong '/'
        #expect(firstInvalid([0xC1, 0xBF]) == 0)  // overlong
        #expect(firstInvalid([0xE0, 0x80, 0xAF]) == 0)  // overlong three-byte
        #expect(firstInvalid([0xF0, 0x80, 0x80, 0xAF]) == 0)  // overlong four-byte
        #expect(firstInvalid([0xED, 0xA0, 0x80]) == 0)  // UTF-16 surrogate
        #expect(firstInvalid([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
        #expect(firstInvalid([0xF5, 0x80, 0x80, 0x80]) == 0)
        #expect(firstInvalid([0x41, 0x42, 0xE2, 0x82]) == 2)  // truncated at the end
        #expect(firstInvalid([0xE2, 0x41, 0xAC]) == 0)  // continuation missing
        #expect(firstInvalid([0x80]) == 0)  // lone continuation
    }
}
