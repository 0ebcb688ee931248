import Foundation
import Testing

@testable import ContactSyncCore

@Suite("Upsert request body, JSON writing and splitting")
struct UpsertRequestTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func setClearAndAbsentFields() {
        let entries = [
            UpsertEntry(
                externalID: "user_1", email: .set("a@example.com"), name: .set("Ada"), phoneNumber: .set("+15550100"),
                customAttributes: [
                    (name: "active", value: .bool(true)), (name: "note", value: .null),
                    (name: "plan", value: .string("pro")), (name: "score", value: .number(42)),
                    (name: "ratio", value: .number(0.25)),
                ]),
            UpsertEntry(externalID: "user_2"),
            UpsertEntry(externalID: "user_3", email: .clear, name: .absent, phoneNumber: .clear),
        ]
        let expected =
            #"{"users":["#
            + #"{"external_id":"user_1","email":"a@example.com","name":"Ada","phonenumber":"+15550100","#
            + #""custom_attributes":{"active":true,"note":null,"plan":"pro","score":42,"ratio":0.25}},"#
            + #"{"external_id":"user_2"},"#
            + #"{"external_id":"user_3","email":null,"phonenumber":null}"#
            + "]}"
        #expect(text(UpsertRequest.body(for: entries)) == expected)
    }

    @Test func emptyRequestAndSliceEncodeLikeArrays() {
        #expect(text(UpsertRequest.body(for: [UpsertEntry]())) == #"{"users":[]}"#)
        let entries = (0..<5).map { UpsertEntry(externalID: "u\($0)", name: .set("n\($0)")) }
        #expect(UpsertRequest.body(for: entries[1..<4]) == UpsertRequest.body(for: Array(entries[1..<4])))
        #expect(text(UpsertRequest.body(for: entries[4...])) == #"{"users":[{"external_id":"u4","name":"n4"}]}"#)
    }

    @Test func stringsAreEscapedPerRFC8259() throws {
        let raw = "q\"b\\s/ n\n r\r t\t b\u{08} f\u{0C} nul\u{00} us\u{1F} del\u{7F} é 😀 \u{2028}"
        var json = JSONWriter()
        json.string(raw)
        #expect(
            text(json.bytes)
                == #""q\"b\\s/ n\n r\r t\t b\b f\f nul\u0000 us\u001f del"# + "\u{7F} é 😀 \u{2028}\"")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.bytes), options: [.fragmentsAllowed])
        #expect(parsed as? String == raw)
    }

    @Test func keysAreEscapedToo() throws {
        var json = JSONWriter()
        json.object { object in
            object.key("a\"b")
            object.number(1)
        }
        #expect(text(json.bytes) == #"{"a\"b":1}"#)
    }

    @Test(arguments: [
        (3.0, "3"), (-0.0, "0"), (-17.0, "-17"), (9_007_199_254_740_992.0, "9007199254740992"),
        (-9_007_199_254_740_992.0, "-9007199254740992"), (0.1, "0.1"), (-2.5, "-2.5"),
        (1.5e-7, "1.5e-07"), (36_028_797_018_963_968.0, "3.602879701896397e+16"), (1e300, "1e+300"),
    ])
    func numbers(value: Double, expected: String) {
        var json = JSONWriter()
        json.number(value)
        #expect(text(json.bytes) == expected)
        #expect(Double(expected) == value)
    }

    @Test func nonFiniteNumbersBecomeNullAndIntegersKeepAllDigits() {
        var json = JSONWriter()
        json.array { array in
            array.number(Double.nan)
            array.number(Double.infinity)
            array.number(Int64.min)
            array.number(Int64.max)
            array.number(0)
            array.number(Int?.none)
            array.string(String?.none)
            array.bool(false)
        }
        #expect(text(json.bytes) == "[null,null,-9223372036854775808,9223372036854775807,0,null,null,false]")
    }

    @Test func nestedStructurePlacesCommasCorrectly() throws {
        var json = JSONWriter(capacity: 8)
        json.beginObject()
        json.key("a")
        json.beginArray()
        json.beginObject()
        json.endObject()
        json.beginArray()
        json.endArray()
        json.number(1)
        json.endArray()
        json.key("b")
        json.object { $0.key("c"); $0.bool(true); $0.key("d"); $0.null() }
        json.endObject()
        #expect(text(json.bytes) == #"{"a":[{},[],1],"b":{"c":true,"d":null}}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(json.bytes)) is [String: Any])
    }

    @Test func chunksAreContiguousAndCapped() {
        #expect(UpsertRequest.chunks(0, maxPerRequest: 100).isEmpty)
        #expect(UpsertRequest.chunks(-3, maxPerRequest: 100).isEmpty)
        #expect(UpsertRequest.chunks(250, maxPerRequest: 100) == [0..<100, 100..<200, 200..<250])
        #expect(UpsertRequest.chunks(100, maxPerRequest: 100) == [0..<100])
        #expect(UpsertRequest.chunks(3, maxPerRequest: 0) == [0..<1, 1..<2, 2..<3])
        #expect(UpsertRequest.chunks(2500, maxPerRequest: 5000) == [0..<1000, 1000..<2000, 2000..<2500])
        for count in [1, 7, 999, 1001] {
            for limit in [1, 3, 100] {
                let chunks = UpsertRequest.chunks(count, maxPerRequest: limit)
                #expect(chunks.first?.lowerBound == 0 && chunks.last?.upperBound == count)
                #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= limit })
            }
        }
    }

    @Test func halvesSplitUntilOneEntryIsLeft() {
        #expect(UpsertRequest.halves(0..<0) == nil)
        #expect(UpsertRequest.halves(4..<5) == nil)
        #expect(UpsertRequest.halves(0..<2).map { [$0.0, $0.1] } == [0..<1, 1..<2])
        #expect(UpsertRequest.halves(10..<15).map { [$0.0, $0.1] } == [10..<12, 12..<15])
    }

    /// Bisection as the pipeline runs it: a range holding the bad entry is refused, the other half passes.
    @Test func isolatingOneBadEntryInAHundredTakesLog2Rounds() {
        for bad in 0..<100 {
            var range = 0..<100
            var rounds = 0
            while let (lower, upper) = UpsertRequest.halves(range) {
                rounds += 1
                range = lower.contains(bad) ? lower : upper
            }
            #expect(range == bad..<bad + 1)
            #expect(rounds <= 7)  // ceil(log2(100))
            #expect(rounds >= 6)
        }
    }
}
