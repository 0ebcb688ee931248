@testable import ContactSync
import Foundation
import Logging
import Prometheus
import Testing

/// Every option set on a transfer is checked: one libcurl refuses fails that
/// transfer with an error naming it, instead of running without it.
@Suite(.timeLimit(.minutes(1)))
struct CurlOptionTests {
    @Test func aRefusedOptionFailsTheTransferAndNamesTheOption() async throws {
        // libcurl refuses strings longer than 8,000,000 bytes (CURL_MAX_INPUT_LENGTH).
        let url = "http://127.0.0.1:9/" + String(repeating: "a", count: 8_000_001)
        let http = CurlHTTPClient(settings: HTTPClientSettings())
        let result = await http.execute(HTTPRequest(method: "GET", url: url, headers: [], timeout: .seconds(5)))
        await http.shutdown()
        guard case .failure(let error) = result else {
            Issue.record("the transfer ran without its URL option")
            return
        }
        #expect(error.description.contains("CURLOPT_URL"), "\(error)")
    }
}

/// A libcurl that cannot enforce the security options stops the service at
/// start, with the reason, rather than failing (or running unprotected) later.
@Suite(.timeLimit(.minutes(1)))
struct CurlCapabilityTests {
    @Test func aLibcurlOlderThan7_85IsRefusedWithTheReason() throws {
        let reason = try #require(CurlCapabilities.refusal(versionNumber: 0x07_54_00, protocols: ["http", "https"]))
        #expect(reason.contains("7.84.0") && reason.contains("7.85.0") && reason.contains("CURLOPT_PROTOCOLS_STR"))
        #expect(CurlCapabilities.refusal(versionNumber: 0x07_55_00, protocols: ["http", "https"]) == nil)
        #expect(CurlCapabilities.refusal(versionNumber: 0x08_0B_01, protocols: ["file", "http", "https"]) == nil)
    }

    @Test func aLibcurlWithoutHTTPSIsRefused() throws {
        let reason = try #require(CurlCapabilities.refusal(versionNumber: 0x07_58_01, protocols: ["http"]))
        #expect(reason.contains("https"))
    }

    @Test func theLinkedLibcurlPassesTheStartCheck() throws {
        try CurlHTTPClient.verifyCapabilities(HTTPClientSettings())
        try CurlHTTPClient.verifyCapabilities(HTTPClientSettings(caBundlePath: "/etc/ssl/certs/ca-certificates.crt", proxy: "http://127.0.0.1:9"))
    }

    @Test func aSecurityOptionLibcurlRefusesStopsTheStart() throws {
        // libcurl refuses strings longer than 8,000,000 bytes: the CA bundle option fails.
        let settings = HTTPClientSettings(caBundlePath: String(repeating: "c", count: 8_000_001))
        #expect {
            try CurlHTTPClient.verifyCapabilities(settings)
        } throws: { error in
            "\(error)".contains("libcurl refused CURLOPT_CAINFO")
        }
        var configuration = ContactSyncConfiguration()
        configuration.bookbag.caBundlePath = settings.caBundlePath
        #expect(throws: CurlSetupError.self) {
            _ = try buildContactSyncServices(
                configuration: configuration, logger: Logger(label: "test"), registry: PrometheusCollectorRegistry(),
                onFatal: { _ in })
        }
    }
}
