import BookbagSim
import Testing

@Suite("Stats")
struct StatsTests {
    @Test func countsRequestsUsersAndRouteStatuses() async throws {
        try await withSim { client in
            _ = try await client.upsert(#"{"users":[{"external_id":"a"},{"external_id":"b"},{"external_id":"c"}]}"#)
            _ = try await client.upsert(#"{"users":[{"external_id":"a"}]}"#)
            _ = try await client.upsert(#"{"users":[]}"#)
            _ = try await client.upsert(#"{"users":[{"external_id":"a"}]}"#, key: .none)
            _ = try await client.send("GET", "/api/v1/chatbots/123/contacts/a")
            _ = try await client.send("GET", "/_sim/contacts", key: .none)

            let stats = try await client.stats()
            #expect(stats.int("requests") == 5)
            #expect(stats.int("upsert_requests") == 3)
            #expect(stats.int("users_received") == 4)
            #expect(stats.int("max_users_per_request") == 3)
            #expect(stats.int("contacts_created") == 3)
            #expect(stats.int("contacts_updated") == 1)
            #expect(stats.int("contacts") == 3)
            #expect(stats.int("in_flight") == 0)
            #expect(stats.int("max_in_flight") == 1)
            #expect(stats["first_request_at"]?.numberValue != nil)
            #expect(
                stats["by_route_status"]
                    == .object([
                        "POST contacts 200": .number(2), "POST contacts 400": .number(1),
                        "POST contacts 401": .number(1), "GET contact 200": .number(1),
                    ]))
            #expect(client.sim.state.stats().requests == 5)
        }
    }

    @Test func unmatchedAPIPathsAreAdmittedThenAnswered404() async throws {
        try await withSim { client in
            #expect(try await client.send("GET", "/api/v1/chatbots/123/nothing", key: .none).status == 401)
            let unknown = try await client.send("DELETE", "/api/v1/chatbots/123/contacts/a")
            #expect(unknown.status == 404)
            #expect(unknown.message == "Resource not found")
            let unknownOps = try await client.send("GET", "/_sim/nothing", key: .none)
            #expect(unknownOps.status == 404 && unknownOps.message == "Resource not found")
            #expect(try await client.stats()["by_route_status"] == .object(["unknown 401": .number(1), "unknown 404": .number(1)]))
        }
    }
}
