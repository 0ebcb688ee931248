import Testing

@testable import ContactSyncCore

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private static let longKey = [UInt8](repeating: 0xaa, count: 131)

    /// RFC 4231 section 4 (test case 5, a truncated MAC, does not apply).
    @Test(arguments: [
        (1, [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (2, Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (3, [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (4, Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (6, longKey, Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (7, longKey,
         Array(("This is a test using a larger than block-size key and a larger than block-size data."
            + " The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ] as [(Int, [UInt8], [UInt8], String)])
    func rfc4231(_ testCase: Int, _ key: [UInt8], _ data: [UInt8], _ expected: String) {
        #expect(Self.hex(HMACSHA256.authenticationCode(key: key, message: data)) == expected, "test case \(testCase)")
    }

    /// Keys of exactly one block (used as they are) and one byte more (hashed
    /// first). Expected values from Python's `hmac.new(key, msg, hashlib.sha256)`.
    @Test func keysEitherSideOfTheBlockSize() {
        let oneBlock = HMACSHA256.authenticationCode(
            key: [UInt8](repeating: UInt8(ascii: "k"), count: 64), message: Array("exactly one block key".utf8))
        #expect(Self.hex(oneBlock) == "e73e6474ed2f863bbf5500617c3b577e141d3c1543e1563f3630b762d038f14c")
        let overBlock = HMACSHA256.authenticationCode(
            key: [UInt8](repeating: UInt8(ascii: "k"), count: 65), message: Array("one byte over".utf8))
        #expect(Self.hex(overBlock) == "c78ea6bbaae214df9544b7aa49b4291b604e38d68a2d0d822359b1c974d7bd0f")
    }

    @Test func piecesGiveTheSameMACAsTheWhole() {
        let message = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let key = Array("Jefe".utf8)
        var mac = HMACSHA256(key: key[...])
        mac.update(message[0..<1])
        mac.update(message[1..<64])
        mac.update(message[64..<65])
        mac.update([UInt8]())
        mac.update(message[65...])
        #expect(mac.finalize() == HMACSHA256.authenticationCode(key: key, message: message))
    }

    @Test func aKeyedValueCopiedServesManyMessages() {
        let keyed = HMACSHA256(key: Array("Jefe".utf8))
        for text in ["what do ya want for nothing?", "", "another"] {
            var mac = keyed
            mac.update(Array(text.utf8))
            #expect(mac.finalize() == HMACSHA256.authenticationCode(key: Array("Jefe".utf8), message: Array(text.utf8)))
        }
    }
}

@Suite("ConstantTime")
struct ConstantTimeTests {
    @Test func comparesEveryByte() {
        let a: [UInt8] = Array(0..<32)
        #expect(ConstantTime.equal(a, a))
        #expect(ConstantTime.equal(a, a[...]))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
        for index in a.indices {
            var b = a
            b[index] ^= 0x01
            #expect(!ConstantTime.equal(a, b), "byte \(index) differs")
        }
        var high = a
        high[31] ^= 0x80
        #expect(!ConstantTime.equal(a, high))
    }

    @Test func differentLengthsAreNotEqual() {
        let a: [UInt8] = Array(0..<32)
        #expect(!ConstantTime.equal(a, a.dropLast()))
        #expect(!ConstantTime.equal(a.dropLast(), a))
        #expect(!ConstantTime.equal(a, [UInt8]()))
    }
}

@Suite("Base64 decoding")
struct Base64DecodingTests {
    private func decode(_ text: String) -> [UInt8]? { Base64.decode(Array(text.utf8)) }

    /// RFC 4648 section 10.
    @Test(arguments: [
        ("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYg==", "foob"), ("Zm9vYmE=", "fooba"),
        ("Zm9vYmFy", "foobar"),
    ])
    func rfc4648Vectors(_ encoded: String, _ plain: String) {
        #expect(decode(encoded) == Array(plain.utf8))
    }

    @Test func roundTripsEveryLengthAndByte() {
        let bytes: [UInt8] = Array(0...255) + Array((0...255).reversed())
        for length in 0...70 {
            let slice = Array(bytes[length..<(2 * length)])
            #expect(Base64.decode(Array(Base64.encode(slice).utf8)) == slice)
        }
        #expect(decode("+/+/") == [0xFB, 0xFF, 0xBF])
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9=", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm 9v", "-_-_",
        "Zm9v=", "Z=9v", "Zm\u{0}v",
    ])
    func refusesWhatIsNotCanonicalStandardBase64(_ text: String) {
        #expect(decode(text) == nil, "\(text.debugDescription)")
    }
}
