import BookbagSim
import Foundation
import Testing

@Suite("Faults")
struct FaultTests {
    private let oneUser = #"{"users":[{"external_id":"a"}]}"#

    @Test func rateLimitAnswers429WithRetryAfterAndCountsEarlyRequests() async throws {
        // One token, refilled every 5 s: the second request is limited.
        try await withSim(faults: SimFaults(rateLimitPerSecond: 0.2, retryAfterSeconds: 7)) { client in
            #expect(try await client.upsert(oneUser).status == 200)
            let limited = try await client.upsert(oneUser)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "7")
            #expect(limited.message == "Too many requests")

            // Arrives well before the announced 7 s (and after the 50 ms in which
            // requests already on the wire are not counted).
            try await Task.sleep(for: .milliseconds(100))
            let early = try await client.upsert(oneUser)
            #expect(early.status == 429)

            let stats = try await client.stats()
            #expect(stats.int("rate_limited") == 2)
            #expect(stats.int("early_requests") == 1)
            #expect(stats["by_route_status"]?.objectValue?["POST contacts 429"] == .number(2))
        }
    }

    @Test func aRateLimitedAttributeListCarriesTheConfiguredRetryAfterText() async throws {
        let date = "Fri, 31 Dec 9999 23:59:59 GMT"
        try await withSim(faults: SimFaults(rateLimitPerSecond: 0, retryAfterHeader: date)) { client in
            let limited = try await client.send("GET", "/api/v1/chatbots/123/custom-attributes")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == date)
            let set = try await client.send(
                "POST", "/_sim/faults", body: #"{"retry_after_header":"99999999999","rate_limit_per_second":0}"#, key: .none)
            #expect(set.json?.objectValue?["retry_after_header"] == .string("99999999999"))
            #expect(try await client.send("GET", "/api/v1/chatbots/123/custom-attributes").header("Retry-After") == "99999999999")
            let refused = try await client.send("POST", "/_sim/faults", body: #"{"retry_after_header":"a\r\nX: y"}"#, key: .none)
            #expect(refused.status == 400)
        }
    }

    /// When the window ends is `FaultStateTests`' business (with injected time).
    @Test func failStatusAnswersWithinItsWindow() async throws {
        try await withSim { client in
            client.sim.state.setFaults(SimFaults(failStatus: 503, failForMilliseconds: 60_000))
            let failed = try await client.upsert(oneUser)
            #expect(failed.status == 503)
            #expect(failed.message == "Service unavailable")
            #expect(client.sim.state.contact("a") == nil)
            let stats = try await client.stats()
            #expect(stats.int("faulted") == 1)
        }
    }

    @Test func faultsCanBeSetOverHTTP() async throws {
        try await withSim { client in
            let set = try await client.send("POST", "/_sim/faults", body: #"{"fail_status":500}"#, key: .none)
            #expect(set.status == 200)
            #expect(set.json?.objectValue?["fail_status"] == .number(500))
            #expect(try await client.upsert(oneUser).status == 500)
            #expect(try await client.upsert(oneUser).status == 500)
            _ = try await client.send("POST", "/_sim/faults", body: "{}", key: .none)
            #expect(try await client.upsert(oneUser).status == 200)

            let invalid = try await client.send("POST", "/_sim/faults", body: #"{"fail_status":"x"}"#, key: .none)
            #expect(invalid.status == 400)
        }
    }

    @Test func failEveryNth() async throws {
        try await withSim(faults: SimFaults(failEveryNth: 3)) { client in
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(try await client.upsert(oneUser).status) }
            #expect(statuses == [200, 200, 503, 200, 200, 503])
        }
    }

    @Test func dropClosesTheConnectionWithoutAResponse() async throws {
        try await withSim { client in
            client.sim.state.setFaults(SimFaults(dropForMilliseconds: 60_000))
            await #expect(throws: (any Error).self) {
                _ = try await client.upsert(oneUser)
            }
            #expect(client.sim.state.contact("a") == nil)
            // The window's end is FaultStateTests' business; clearing the faults ends it here.
            client.sim.state.setFaults(.none)
            #expect(try await client.upsert(oneUser).status == 200)
            let stats = try await client.stats()
            #expect(stats.int("dropped") == 1)
            #expect(stats["by_route_status"]?.objectValue?["POST contacts dropped"] == .number(1))
        }
    }

    @Test func latencyDelaysAndShowsInFlight() async throws {
        try await withSim(faults: SimFaults(latencyMilliseconds: 500)) { client in
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        try await client.upsert(#"{"users":[{"external_id":"c\#(index)"}]}"#).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let elapsed = started.duration(to: .now)
            #expect(elapsed >= .milliseconds(500))
            #expect(elapsed < .milliseconds(1500), "latency must not serialize requests (4 x 500 ms)")
            let stats = try await client.stats()
            #expect((stats.int("max_in_flight") ?? 0) >= 2)
            #expect(stats.int("in_flight") == 0)
        }
    }

    @Test func resetClearsContactsStatsAndFaults() async throws {
        try await withSim(seededAttributes: [SimAttributeDefinition(name: "plan")]) { client in
            _ = try await client.send("POST", "/api/v1/chatbots/123/custom-attributes", body: #"{"name":"extra"}"#)
            _ = try await client.upsert(oneUser)
            client.sim.state.setFaults(SimFaults(failStatus: 503))
            let reset = try await client.send("POST", "/_sim/reset", key: .none)
            #expect(reset.status == 200)
            #expect(client.sim.state.allContacts().isEmpty)
            #expect(client.sim.state.attributes().map(\.name) == ["plan"])
            #expect(client.sim.state.stats().requests == 0)
            #expect(try await client.upsert(oneUser).status == 200)
        }
    }
}
