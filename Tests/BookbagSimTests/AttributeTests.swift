import BookbagSim
import Testing

@Suite("Custom attributes")
struct AttributeTests {
    private let path = "/api/v1/chatbots/123/custom-attributes"

    @Test func createListAndDuplicate() async throws {
        try await withSim(seededAttributes: []) { client in
            let created = try await client.send("POST", path, body: #"{"name":"plan","label":"Plan"}"#)
            #expect(created.status == 201)
            #expect(created.data?.objectValue?["type"] == .string("text"))
            #expect(created.data?.objectValue?["label"] == .string("Plan"))
            #expect(created.data?.objectValue?["archived"] == .bool(false))

            let duplicate = try await client.send("POST", path, body: #"{"name":"plan","type":"number"}"#)
            #expect(duplicate.status == 409)
            #expect(duplicate.message == "Attribute already exists")

            _ = try await client.send("POST", path, body: #"{"name":"last_login_at","type":"date"}"#)
            let list = try await client.send("GET", path)
            #expect(list.status == 200)
            let names = list.data?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
            #expect(names == ["last_login_at", "plan"])
            #expect(client.sim.state.attributes().first { $0.name == "plan" }?.type == .text)

            let stats = try await client.stats()
            #expect(stats.int("attribute_creates") == 2)
        }
    }

    @Test(arguments: [
        #"{"name":"1plan"}"#, #"{"name":"has space"}"#, #"{"type":"text"}"#,
        #"{"name":"plan","type":"color"}"#, #"{"name":"plan","type":3}"#, "nope",
        #"{"name":"\#(String(repeating: "a", count: 65))"}"#,
    ])
    func invalidDefinitionsAre400(body: String) async throws {
        try await withSim(seededAttributes: []) { client in
            let response = try await client.send("POST", path, body: body)
            #expect(response.status == 400)
            #expect(client.sim.state.attributes().isEmpty)
        }
    }

    @Test func sixtyFourCharacterNameIsAccepted() async throws {
        try await withSim(seededAttributes: []) { client in
            let name = "a" + String(repeating: "b", count: 63)
            let response = try await client.send("POST", path, body: #"{"name":"\#(name)"}"#)
            #expect(response.status == 201)
        }
    }

    @Test func putArchivesAndThenValuesAreRefused() async throws {
        try await withSim(seededAttributes: [SimAttributeDefinition(name: "plan")]) { client in
            let archived = try await client.send(
                "PUT", path + "/plan", body: #"{"archived":true,"description":"old plans"}"#)
            #expect(archived.status == 200)
            #expect(archived.data?.objectValue?["archived"] == .bool(true))
            #expect(archived.data?.objectValue?["description"] == .string("old plans"))
            #expect(archived.data?.objectValue?["label"] == .string("plan"))

            let refused = try await client.upsert(#"{"users":[{"external_id":"a","custom_attributes":{"plan":"pro"}}]}"#)
            #expect(refused.status == 400)
            #expect(refused.message?.hasPrefix("Invalid contact a:") == true)
        }
    }

    @Test func putCannotChangeTypeOrUnknownAttribute() async throws {
        try await withSim(seededAttributes: [SimAttributeDefinition(name: "plan")]) { client in
            let typeChange = try await client.send("PUT", path + "/plan", body: #"{"type":"number"}"#)
            #expect(typeChange.status == 400)
            #expect(client.sim.state.attributes().first?.type == .text)
            let unknown = try await client.send("PUT", path + "/nope", body: #"{"archived":true}"#)
            #expect(unknown.status == 404)
        }
    }
}
