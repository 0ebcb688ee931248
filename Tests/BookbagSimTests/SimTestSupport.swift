import BookbagSim
import ContactSyncCore
import Foundation
import LoopbackHTTP
import Testing

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

    init(_ sim: RunningBookbagSim) {
        self.sim = sim
    }

    enum Key {
        case valid, none, custom(String)
    }

    func send(_ method: String, _ path: String, body: String? = nil, key: Key = .valid) async throws
        -> SimHTTPResponse
    {
        var headers: [(String, String)] = []
        switch key {
        case .valid: headers.append(("Authorization", "Bearer \(testAPIKey)"))
        case .none: break
        case .custom(let value): headers.append(("Authorization", value))
        }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let answer = try await LoopbackHTTP.send(
            method, sim.baseURL + path, headers: headers, body: body.map { Array($0.utf8) }, timeout: .seconds(10))
        return SimHTTPResponse(status: answer.status, headers: answer.headers, body: String(decoding: answer.body, as: UTF8.self))
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
