import ContactSync
import Foundation
import Testing

/// libcurl reads http_proxy, https_proxy and all_proxy from the environment;
/// the key must never travel through a proxy nobody configured for Bookbag.
/// The environment case runs `contact-sync check` in a child process, so the
/// variables never touch this test process (other suites run beside it).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProxyTests {
    @Test func proxyVariablesInTheEnvironmentAreIgnored() async throws {
        let proxy = try CannedHTTPServer(response: nil)
        defer { proxy.stop() }
        try await withBookbagSim { sim in
            var environment = [
                "BOOKBAG_BASE_URL": sim.baseURL, "BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": testKey,
                "KAFKA_BROKERS": TestBroker.address, "no_proxy": "", "NO_PROXY": "",
            ]
            for name in ["http_proxy", "https_proxy", "all_proxy", "ALL_PROXY", "HTTPS_PROXY"] {
                environment[name] = proxy.url
            }
            let check = try ServiceProcess(environment: environment, arguments: ["check"])
            _ = await check.waitForExit()
            #expect(check.output.contains("ok    Bookbag key and chatbot 123 work"), "\(check.output)")
            #expect(proxy.connections == 0, "a request went through the proxy from the environment")
        }
    }
}

/// BOOKBAG_PROXY: the one proxy used, for https only.
@Suite(.timeLimit(.minutes(1)))
struct ConfiguredProxyTests {
    @Test func aConfiguredProxyCarriesTheRequests() async throws {
        let proxy = try CannedHTTPServer(response: nil)
        defer { proxy.stop() }
        let http = CurlHTTPClient(settings: HTTPClientSettings(proxy: proxy.url))
        _ = await http.execute(HTTPRequest(method: "GET", url: "http://bookbag.example.invalid/x", headers: [], timeout: .seconds(5)))
        await http.shutdown()
        #expect(proxy.connections == 1)
    }

    private func read(_ variables: [String: String]) throws -> ContactSyncConfiguration {
        try ConfigurationReader.read(
            environment: ["BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": testKey].merging(variables) { _, new in new })
    }

    @Test func theReaderTakesAProxyForHTTPS() throws {
        #expect(try read([:]).bookbag.proxy == nil)
        let configuration = try read(["BOOKBAG_PROXY": "http://proxy.internal:3128"])
        #expect(configuration.bookbag.proxy == "http://proxy.internal:3128")
        #expect(HTTPClientSettings(bookbag: configuration.bookbag).proxy == "http://proxy.internal:3128")
        #expect(try read(["BOOKBAG_PROXY": "socks5h://user:pw@proxy.internal:1080"]).bookbag.proxy != nil)
    }

    @Test(arguments: ["proxy.internal:3128", "ftp://proxy.internal", "http://proxy.internal:3128/path", "http://proxy?x", "http://user:hunter2@"])
    func aMalformedProxyIsRefused(proxy: String) {
        #expect {
            _ = try read(["BOOKBAG_PROXY": proxy])
        } throws: { error in
            "\(error)".hasPrefix("BOOKBAG_PROXY") && !"\(error)".contains("hunter2")
        }
    }

    @Test func aProxyWithAPlainHTTPBaseURLIsRefused() {
        #expect {
            _ = try read(["BOOKBAG_PROXY": "http://proxy.internal:3128", "BOOKBAG_BASE_URL": "http://127.0.0.1:8080"])
        } throws: { error in
            "\(error)".contains("clear text")
        }
    }
}
