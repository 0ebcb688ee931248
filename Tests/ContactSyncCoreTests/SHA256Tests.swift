import Foundation
import Testing

@testable import ContactSyncCore

@Suite("SHA-256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        // Two blocks after padding (FIPS 180-4 example).
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        // 55 and 56 bytes: the lengths either side of where padding needs a second block.
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
    ])
    func knownVectors(_ input: String, _ expected: String) {
        #expect(SHA256.hexDigest(Array(input.utf8)) == expected)
    }

    @Test func oneMillionAs() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(input) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// 1 MiB of varied bytes against the system's sha256sum, one-shot and fed in uneven pieces.
    @Test func oneMebibyteMatchesSha256sum() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let input: [UInt8] = (0..<(1 << 20)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = String(decoding: output.prefix(64), as: UTF8.self)
        #expect(expected.count == 64)
        #expect(SHA256.hexDigest(input) == expected)

        var hasher = SHA256()
        var start = 0
        var piece = 1
        while start < input.count {
            let end = min(input.count, start + piece)
            hasher.update(input[start..<end])
            start = end
            piece = piece * 3 % 1000 + 1
        }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(hex == expected)
    }
}
