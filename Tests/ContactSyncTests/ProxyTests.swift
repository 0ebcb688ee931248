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
        let sim = try await startSim()
        defer { Task { await sim.stop() } }
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
