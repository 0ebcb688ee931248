import Testing

@testable import ContactSyncCore

@Suite("WebhookSecret")
struct WebhookSecretTests {
    /// The Standard Webhooks specification's example secret (24 bytes).
    private static let example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    private func error(_ text: String) -> WebhookSecretError? {
        do {
            _ = try WebhookSecret(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    private func fileError(_ text: String) -> WebhookSecretError? {
        do {
            _ = try WebhookSecretsFile.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheKeyWithWhitespaceAround() throws {
        let secret = try WebhookSecret(parsing: " \t\(Self.example)\r\n")
        #expect(secret.key == Base64.decode(Array("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".utf8)))
        #expect(secret.key.count == 24)
        #expect(secret.key.prefix(3) == [0x31, 0xf2, 0x90])
    }

    @Test func printsAsRedacted() throws {
        let secret = try WebhookSecret(parsing: Self.example)
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\([secret])" == "[<redacted>]")
    }

    @Test func refusesWithoutThePrefixOrWithBadBase64() {
        #expect(error("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == .missingPrefix)
        #expect(error("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == .missingPrefix)
        #expect(error("") == .missingPrefix)
        #expect(error("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS") == .notBase64)
        #expect(error("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-aSw") == .notBase64)
        #expect(error("whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw") == .notBase64)
    }

    @Test func keySizesFrom1To128Bytes() throws {
        #expect(error("whsec_") == .wrongKeySize)
        #expect(try WebhookSecret(parsing: "whsec_" + Base64.encode([7])).key == [7])
        let largest = [UInt8](repeating: 9, count: 128)
        #expect(try WebhookSecret(parsing: "whsec_" + Base64.encode(largest)).key == largest)
        #expect(error("whsec_" + Base64.encode([UInt8](repeating: 9, count: 129))) == .wrongKeySize)
    }

    @Test func errorsNeverQuoteTheSecret() {
        let inputs = [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
            "whsec_" + Base64.encode([UInt8](repeating: 0x5A, count: 129)),
        ]
        for input in inputs {
            let message = error(input)?.description ?? ""
            #expect(!message.isEmpty)
            #expect(!message.contains("MfKQ"))
            #expect(!message.contains("WlpaWlpa"))
        }
    }

    @Test func aFileHasOneSecretPerLineWithCommentsAndBlankLines() throws {
        let second = "whsec_" + Base64.encode([UInt8](repeating: 1, count: 32))
        let text = "# current\n\(Self.example)\r\n\n   \n  # next, added before the switch\n\(second)\n"
        let secrets = try WebhookSecretsFile.parse(text)
        #expect(secrets.map(\.key.count) == [24, 32])
        #expect(secrets[1].key == [UInt8](repeating: 1, count: 32))
    }

    @Test func aFileErrorNamesTheLineOnly() {
        let text = "# secrets\n\(Self.example)\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS\n"
        let failure = fileError(text)
        #expect(failure?.line == 3)
        #expect(failure?.problem == WebhookSecretError.notBase64.problem)
        #expect(failure?.description.hasPrefix("line 3: ") == true)
        #expect(failure?.description.contains("MfKQ") == false)
        #expect(fileError("\(Self.example)\nsecret-without-prefix")?.line == 2)
    }

    @Test func aFileNeedsOneToSixteenSecrets() throws {
        #expect(fileError("") == .noSecrets)
        #expect(fileError("# only a comment\n\n") == .noSecrets)
        let sixteen = Array(repeating: Self.example, count: 16).joined(separator: "\n")
        #expect(try WebhookSecretsFile.parse(sixteen).count == 16)
        let failure = fileError(sixteen + "\n# a comment\n" + Self.example)
        #expect(failure?.line == 18)
        #expect(failure?.description.contains("more than 16") == true)
    }
}
