import ContactSync
import ContactSyncCore
import Testing

/// A huge answer from Bookbag (or a proxy in front of it) must not be held in
/// memory: past the client's cap the body is dropped, the transfer stops, and
/// the status alone says what happened.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ResponseBodyCapTests {
    static let hugeBody = 64 << 20

    private func get(_ server: CannedHTTPServer, settings: HTTPClientSettings = HTTPClientSettings()) async -> Result<HTTPResponse, HTTPTransportError> {
        let http = CurlHTTPClient(settings: settings)
        let result = await http.execute(HTTPRequest(method: "GET", url: "\(server.url)/x", headers: [], timeout: .seconds(60)))
        await http.shutdown()
        return result
    }

    @Test(arguments: [false, true])
    func aHugeErrorBodyIsDroppedAndItsStatusStillArrives(chunked: Bool) async throws {
        let server = try CannedHTTPServer(response: .init(status: 500, bodyBytes: Self.hugeBody, chunked: chunked))
        defer { server.stop() }
        let response = try await get(server).get()
        #expect(response.status == 500)
        #expect(response.body.count == 0, "the body is not held (its size, not its bytes, in the message)")
        #expect(response.bodyTruncated)
        #expect(server.bodyBytesSent < Self.hugeBody / 2, "the client stopped reading instead of draining 64 MB")
    }

    @Test func aBodyOfExactlyTheCapArrivesWhole() async throws {
        let cap = HTTPClientSettings().maxResponseBodyBytes
        let server = try CannedHTTPServer(response: .init(status: 200, bodyBytes: cap))
        defer { server.stop() }
        let response = try await get(server).get()
        #expect(response.status == 200)
        #expect(response.body.count == cap)
        #expect(!response.bodyTruncated)
    }

    @Test(arguments: [false, true])
    func bookbagClientClassifiesAnOversizedAnswerByItsStatus(chunked: Bool) async throws {
        let server = try CannedHTTPServer(response: .init(
            status: 429, headers: ["Retry-After: 3"], bodyBytes: Self.hugeBody, chunked: chunked))
        defer { server.stop() }
        var settings = ContactSyncConfiguration.Bookbag()
        settings.baseURL = server.url
        settings.chatbotID = "123"
        settings.apiKey = APIKey(testKey)
        let http = CurlHTTPClient(settings: HTTPClientSettings())
        let answer = await BookbagClient(settings: settings, http: http, metrics: ServiceMetrics()).listAttributes()
        await http.shutdown()
        #expect(answer.status == 429)
        #expect(answer.outcome == .rateLimited(retryAfter: .seconds(3)))
        #expect(answer.body.count == 0)
    }
}
