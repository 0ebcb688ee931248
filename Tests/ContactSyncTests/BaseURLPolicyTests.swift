@testable import ContactSync
import Foundation
import Testing

/// The key is never sent in clear text: plain http only to this machine, as
/// libcurl itself reads the URL (issue 11, item 4).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BaseURLPolicyTests {
    /// Each was accepted as loopback before, and `check` went on to resolve and connect.
    static let lookAlikes = [
        "http://127.0.0.1.example.invalid",
        "http://127.0.0.1@example.invalid",
        "http://localhost:x@example.invalid",
        "http://[::1]@example.invalid",
        "http://127.example.invalid",
    ]

    @Test(arguments: lookAlikes)
    func aLookAlikeOfLoopbackIsRefused(url: String) {
        #expect(throws: ConfigurationReader.ConfigurationError.self) { try BaseURLPolicy.check(url) }
    }

    @Test(arguments: [
        "http://127.0.0.1:8080", "http://[::1]:9", "http://localhost:1/", "https://app.bookbag.ai",
        "http://127.255.0.1", "https://app.bookbag.ai/prefix", "https://example.com:8443",
    ])
    func aValidBaseURLIsAccepted(url: String) throws {
        try BaseURLPolicy.check(url)
    }

    @Test(arguments: [
        "https://user@app.bookbag.ai", "https://user:pw@app.bookbag.ai", "https://@app.bookbag.ai",
        "https://app.bookbag.ai?x=1", "https://app.bookbag.ai#top", "http://127.0.0.1#", "https://app.bookbag.ai?",
        "ftp://127.0.0.1", "file:///etc/passwd", "app.bookbag.ai", "127.0.0.1:8080", "",
        "http://LOCALHOST", "http://localhost.", "http://127.0.0.1.", "http://[::ffff:127.0.0.1]", "http://[::1%25lo]",
        "http://128.0.0.1", "http://10.0.0.1", "http://0.0.0.0", "http://[::]", "http://app.bookbag.ai",
        "http://127.0.0.1\u{0}.example.invalid", "http://127.0.0.1:99999",
    ])
    func anythingElseIsRefused(url: String) {
        #expect(throws: ConfigurationReader.ConfigurationError.self) { try BaseURLPolicy.check(url) }
    }

    @Test func theRefusalSaysWhyWithoutEchoingUserinfo() {
        #expect(message(of: "http://bookbag.example.com").contains("only sent over https://"))
        let userinfo = message(of: "https://someone:hunter2@app.bookbag.ai")
        #expect(userinfo.contains("user"))
        #expect(!userinfo.contains("hunter2"))
    }

    @Test(arguments: lookAlikes)
    func theReaderRefusesALookAlike(url: String) {
        let environment = ["BOOKBAG_BASE_URL": url, "BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": testKey]
        #expect(throws: ConfigurationReader.ConfigurationError.self) { try ConfigurationReader.read(environment: environment) }
    }

    /// `contact-sync check`, as a new user runs it: refused at the configuration
    /// line, before Kafka or Bookbag is tried.
    @Test func checkRefusesEachLookAlikeBeforeReachingAnything() async throws {
        for url in Self.lookAlikes {
            let check = try ServiceProcess(
                environment: [
                    "BOOKBAG_BASE_URL": url, "BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": testKey,
                    "KAFKA_BROKERS": "127.0.0.1:\(freePort())",
                ],
                arguments: ["check"])
            #expect(await check.waitForExit() == 2, "a configuration error exits 2")
            #expect(check.output.contains("FAIL  configuration: BOOKBAG_BASE_URL"), "\(url): \(check.output)")
            #expect(!check.output.contains("Kafka"), "\(url) went on to the connectivity checks")
        }
    }

    private func message(of url: String) -> String {
        do {
            try BaseURLPolicy.check(url)
            return ""
        } catch {
            return "\(error)"
        }
    }
}


/// The loopback test on libcurl's host text: IPv4 literals read strictly.
@Suite struct LoopbackHostTests {
    @Test(arguments: ["127.0.0.1", "127.255.255.254", "127.0.0.0", "[::1]", "localhost"])
    func loopback(host: String) {
        #expect(BaseURLRule.isLoopback(host: host))
    }

    @Test(arguments: [
        "127.0.0.01", "127.0.0", "127.0.0.1.1", "127.0.0.256", "127.0.0.-1", "127.0.0.+1", "127..0.1", "0127.0.0.1",
        "128.0.0.1", "[::2]", "[::ffff:127.0.0.1]", "localhost.", "LOCALHOST", "127.0.0.1 ", "", "127.0.0.١",
    ])
    func notLoopback(host: String) {
        #expect(!BaseURLRule.isLoopback(host: host))
    }
}
