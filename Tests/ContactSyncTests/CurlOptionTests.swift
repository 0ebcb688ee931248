import ContactSync
import Foundation
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
