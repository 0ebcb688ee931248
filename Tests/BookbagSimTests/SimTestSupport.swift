import BookbagSim
import ContactSyncCore
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let testAPIKey = "oc_test_key"

/// A response as the tests look at it.
struct SimHTTPResponse {
    var status: Int
    var headers: [String: String]
    var body: String

    var json: JSONValue? { try? JSONValue.parse(body) }
    var message: String? { json?.objectValue?["message"]?.stringValue }
    var data: JSONValue? { json?.objectValue?["data"] }

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Talks to a running simulator over a real socket.
struct SimClient {
    let sim: RunningBookbagSim
    let session: URLSession

    init(_ sim: RunningBookbagSim) {
        self.sim = sim
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: configuration)
    }

    enum Key {
        case valid, none, custom(String)
    }

    func send(_ method: String, _ path: String, body: String? = nil, key: Key = .valid) async throws
        -> SimHTTPResponse
    {
        var request = URLRequest(url: URL(string: sim.baseURL + path)!)
        request.httpMethod = method
        switch key {
        case .valid: request.setValue("Bearer \(testAPIKey)", forHTTPHeaderField: "Authorization")
        case .none: break
        case .custom(let value): request.setValue(value, forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return SimHTTPResponse(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }

    func upsert(_ body: String, chatbot: String = "123", key: Key = .valid) async throws -> SimHTTPResponse {
        try await send("POST", "/api/v1/chatbots/\(chatbot)/contacts", body: body, key: key)
    }

    func stats() async throws -> [String: JSONValue] {
        try #require(try await send("GET", "/_sim/stats", key: .none).json?.objectValue)
    }
}

/// Runs `body` against a fresh simulator on a free port and stops it afterwards.
func withSim(
    seededAttributes: [SimAttributeDefinition] = [
        SimAttributeDefinition(name: "plan"),
        SimAttributeDefinition(name: "ltv", type: .number),
        SimAttributeDefinition(name: "vip", type: .boolean),
        SimAttributeDefinition(name: "last_login_at", type: .date),
        SimAttributeDefinition(name: "legacy", archived: true),
    ],
    faults: SimFaults = .none,
    _ body: (SimClient) async throws -> Void
) async throws {
    let configuration = BookbagSimConfiguration(
        host: "127.0.0.1", port: 0, apiKey: testAPIKey, chatbotID: "123", otherChatbotID: "456",
        seededAttributes: seededAttributes, faults: faults)
    let sim = try await BookbagSimServer.start(configuration: configuration)
    do {
        try await body(SimClient(sim))
    } catch {
        await sim.stop()
        throw error
    }
    await sim.stop()
}

extension Dictionary where Key == String, Value == JSONValue {
    func int(_ key: String) -> Int? {
        self[key]?.numberValue.map { Int($0) }
    }
}
