import BookbagSim
import Foundation
import Testing

@Suite("Server lifecycle")
struct ServerLifecycleTests {
    @Test func startOnABusyPortThrows() async throws {
        try await withSim { client in
            let busy = BookbagSimConfiguration(port: client.sim.port, apiKey: testAPIKey)
            await #expect(throws: (any Error).self) {
                let second = try await BookbagSimServer.start(configuration: busy)
                await second.stop()
            }
        }
    }

    @Test func stopClosesTheListener() async throws {
        let sim = try await BookbagSimServer.start(configuration: BookbagSimConfiguration(apiKey: testAPIKey))
        let client = SimClient(sim)
        #expect(try await client.send("GET", "/_sim/health", key: .none).status == 200)
        await sim.stop()
        await #expect(throws: (any Error).self) {
            _ = try await SimClient(sim).send("GET", "/_sim/health", key: .none)
        }
    }
}
