import ContactSyncCore
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test func parsesScalarsKeepingBooleansApartFromNumbers() throws {
        let value = try JSONValue.parse(#" {"a":true,"b":1,"c":-0.5e1,"d":null,"e":"x\"\u00e9\ud83d\ude00\n","f":[]} "#)
        #expect(
            value
                == .object([
                    "a": .bool(true), "b": .number(1), "c": .number(-5), "d": .null, "e": .string("x\"é😀\n"),
                    "f": .array([]),
                ]))
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,]", "01", "1.", "tru", #""\x""#, "{} x", "\"a\u{01}\"", "NaN", "1e400"])
    func refusesInvalidJSON(text: String) {
        #expect(throws: JSONReadError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        #expect(try JSONValue.parse("[[1]]", maxDepth: 2) == .array([.array([.number(1)])]))
        #expect(throws: JSONReadError.self) { try JSONValue.parse("[[[1]]]", maxDepth: 2) }
    }

    @Test func literalKeysWriteWhatKeysDoWithTheirCommas() {
        var scanned = JSONWriter()
        var literal = JSONWriter()
        scanned.beginObject(); literal.beginObject()
        scanned.key("a"); literal.key(literal: "a")
        scanned.number(1); literal.number(1)
        scanned.key("b_c"); literal.key(literal: "b_c")
        scanned.string("x"); literal.string("x")
        scanned.endObject(); literal.endObject()
        #expect(String(decoding: literal.bytes, as: UTF8.self) == #"{"a":1,"b_c":"x"}"#)
        #expect(literal.bytes == scanned.bytes)
    }

    @Test func writerEscapesAndRoundTrips() throws {
        var writer = JSONWriter()
        let value = JSONValue.object(["k\"ey": .array([.string("a\\b\u{1}"), .number(2.5), .number(3), .bool(false), .null])])
        writer.value(value)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"{"k\"ey":["a\\b\u0001",2.5,3,false,null]}"#)
        #expect(try JSONValue.parse(text) == value)
    }
}
