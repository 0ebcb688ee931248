import BookbagSim
import Testing

@Suite("Authentication and scope")
struct AuthTests {
    @Test func missingKeyIs401() async throws {
        try await withSim { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"a"}]}"#, key: .none)
            #expect(response.status == 401)
            #expect(response.message == "Unauthorized")
            #expect(client.sim.state.contact("a") == nil)
        }
    }

    @Test func wrongKeyOrSchemeIs401() async throws {
        try await withSim { client in
            let wrongKey = try await client.send("GET", "/api/v1/chatbots/123/custom-attributes", key: .custom("Bearer nope"))
            #expect(wrongKey.status == 401)
            let wrongScheme = try await client.send(
                "GET", "/api/v1/chatbots/123/custom-attributes", key: .custom("Basic \(testAPIKey)"))
            #expect(wrongScheme.status == 401)
        }
    }

    @Test func otherExistingChatbotIs403() async throws {
        try await withSim { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"a"}]}"#, chatbot: "456")
            #expect(response.status == 403)
            #expect(client.sim.state.contact("a") == nil)
        }
    }

    @Test func unknownChatbotIs404() async throws {
        try await withSim { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"a"}]}"#, chatbot: "999")
            #expect(response.status == 404)
            #expect(response.message == "Resource not found")
        }
    }

    @Test func validKeyIsAccepted() async throws {
        try await withSim { client in
            let response = try await client.send("GET", "/api/v1/chatbots/123/custom-attributes")
            #expect(response.status == 200)
            #expect(response.message == "ok")
        }
    }
}
