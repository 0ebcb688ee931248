import BookbagSim
import Testing

@Suite("Upserting contacts")
struct UpsertTests {
    @Test func createThenUpdateClearsAndKeepsFields() async throws {
        try await withSim { client in
            let created = try await client.upsert(
                #"""
                {"users":[{"external_id":"u_1","name":"Sam","email":"sam@acme.com","phonenumber":"+49 1234 5678",
                 "custom_attributes":{"plan":"pro","ltv":12.5,"vip":true,"last_login_at":"2026-11-24T10:15:00.123Z"}},
                 {"external_id":"u.2","name":"Kim"}]}
                """#)
            #expect(created.status == 200)
            #expect(created.message == "Contacts upserted")
            #expect(created.data == .object(["created": .number(2), "updated": .number(0)]))
            let first = try #require(client.sim.state.contact("u_1"))

            let updated = try await client.upsert(
                #"""
                {"contacts":[{"external_id":"u_1","name":null,"email":"sam@new.com",
                  "custom_attributes":{"plan":null,"vip":false}}]}
                """#)
            #expect(updated.status == 200)
            #expect(updated.data == .object(["created": .number(0), "updated": .number(1)]))

            let contact = try #require(client.sim.state.contact("u_1"))
            #expect(contact.name == nil)
            #expect(contact.email == "sam@new.com")
            #expect(contact.phonenumber == "+49 1234 5678")
            #expect(contact.customAttributes == ["ltv": .number(12.5), "vip": .bool(false), "last_login_at": .string("2026-11-24T10:15:00.123Z")])
            #expect(contact.createdAt == first.createdAt)
            #expect(contact.updatedAt >= first.updatedAt)
            #expect(client.sim.state.contact("u.2")?.name == "Kim")
        }
    }

    @Test func getContactThroughAPIAndSim() async throws {
        try await withSim { client in
            _ = try await client.upsert(#"{"users":[{"external_id":"u1","email":"a@b.c","custom_attributes":{"plan":"pro"}}]}"#)
            let response = try await client.send("GET", "/api/v1/chatbots/123/contacts/u1")
            #expect(response.status == 200)
            let data = try #require(response.data?.objectValue)
            #expect(data["external_id"] == .string("u1"))
            #expect(data["email"] == .string("a@b.c"))
            #expect(data["name"] == .null)
            #expect(data["custom_attributes"] == .object(["plan": .string("pro")]))
            #expect(data["created_at"]?.numberValue != nil)

            let missing = try await client.send("GET", "/api/v1/chatbots/123/contacts/nobody")
            #expect(missing.status == 404)

            let sim = try await client.send("GET", "/_sim/contacts/u1", key: .none)
            #expect(sim.json?.objectValue?["email"] == .string("a@b.c"))
            let all = try await client.send("GET", "/_sim/contacts", key: .none)
            #expect(all.json?.objectValue?["contacts"]?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: [
        ("{}", "Invalid request data"),
        (#"{"users":[]}"#, "Invalid request data"),
        (#"{"users":{"external_id":"a"}}"#, "Invalid request data"),
        ("not json", "Invalid request data"),
        (#"[{"external_id":"a"}]"#, "Invalid request data"),
    ])
    func malformedBodiesAre400(body: String, message: String) async throws {
        try await withSim { client in
            let response = try await client.upsert(body)
            #expect(response.status == 400)
            #expect(response.message == message)
            #expect(client.sim.state.allContacts().isEmpty)
        }
    }

    @Test func moreThan1000EntriesAre400() async throws {
        try await withSim { client in
            let entries = (0...1000).map { #"{"external_id":"u\#($0)"}"# }.joined(separator: ",")
            let response = try await client.upsert(#"{"users":[\#(entries)]}"#)
            #expect(response.status == 400)
            #expect(response.message == "Maximum 1000 contacts per request")
            #expect(client.sim.state.allContacts().isEmpty)

            let exactly1000 = (1...1000).map { #"{"external_id":"u\#($0)"}"# }.joined(separator: ",")
            let accepted = try await client.upsert(#"{"users":[\#(exactly1000)]}"#)
            #expect(accepted.status == 200)
            #expect(client.sim.state.allContacts().count == 1000)
        }
    }

    @Test(arguments: [
        (#"{"external_id":"bad id!"}"#, "Invalid contact bad id!"),
        (#"{"external_id":"ok2","name":5}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","custom_attributes":{"plan":["x"]}}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","custom_attributes":{"ltv":"12"}}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","custom_attributes":{"vip":1}}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","custom_attributes":{"last_login_at":"yesterday"}}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","custom_attributes":{"legacy":"x"}}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","phone":"+49"}"#, "Invalid contact ok2"),
        (#"{"external_id":"ok2","email":"ok2.example.com"}"#, "Invalid contact ok2: email is not a valid email address"),
        (#"{"external_id":"ok2","email":"ok2@localhost"}"#, "Invalid contact ok2: email is not a valid email address"),
        (#"{"external_id":"ok2","phonenumber":"+49 30"}"#, "Invalid contact ok2: phonenumber is not a valid phone number"),
        (#"{"external_id":"ok2","phonenumber":"call me"}"#, "Invalid contact ok2: phonenumber is not a valid phone number"),
        (#"{"name":"no id"}"#, "Invalid contact at index 1"),
    ])
    func oneInvalidEntryRefusesTheWholeRequest(entry: String, messagePrefix: String) async throws {
        try await withSim { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"ok1"},\#(entry)]}"#)
            #expect(response.status == 400)
            #expect(response.message?.hasPrefix(messagePrefix) == true, "\(response.body)")
            #expect(client.sim.state.allContacts().isEmpty)
        }
    }

    @Test func undefinedAttributeIs422AndStoresNothing() async throws {
        try await withSim { client in
            let response = try await client.upsert(
                #"{"users":[{"external_id":"a"},{"external_id":"b","custom_attributes":{"plan":"x","shoe_size":44}}]}"#)
            #expect(response.status == 422)
            #expect(response.message == "Unknown custom attribute: shoe_size")
            #expect(client.sim.state.allContacts().isEmpty)
        }
    }

    @Test func archivedAttributeAcceptsNull() async throws {
        try await withSim { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"a","custom_attributes":{"legacy":null}}]}"#)
            #expect(response.status == 200)
            #expect(client.sim.state.contact("a")?.customAttributes == [:])
        }
    }

    @Test func perEntryErrorsAreReportedInside200() async throws {
        try await withSim(faults: SimFaults(entryErrorIDs: ["bad1"])) { client in
            let response = try await client.upsert(#"{"users":[{"external_id":"ok1"},{"external_id":"bad1"}]}"#)
            #expect(response.status == 200)
            #expect(response.data == .object(["created": .number(1), "updated": .number(0)]))
            let errors = try #require(response.json?.objectValue?["errors"]?.arrayValue)
            #expect(errors.count == 1)
            #expect(errors.first?.objectValue?["external_id"] == .string("bad1"))
            #expect(errors.first?.objectValue?["message"]?.stringValue?.isEmpty == false)
            #expect(client.sim.state.contact("ok1") != nil)
            #expect(client.sim.state.contact("bad1") == nil)

            let log = client.sim.state.upsertLog(for: "bad1")
            #expect(log.map(\.stored) == [false])
            #expect(log.map(\.status) == [200])
        }
    }

    @Test func upsertLogListsRequestsInOrder() async throws {
        try await withSim { client in
            _ = try await client.upsert(#"{"users":[{"external_id":"a","name":"1"}]}"#)
            _ = try await client.upsert(#"{"users":[{"external_id":"b"}]}"#)
            _ = try await client.upsert(#"{"users":[{"external_id":"a","name":2}]}"#)
            _ = try await client.upsert(#"{"users":[{"external_id":"a","name":"3"}]}"#)
            let response = try await client.send("GET", "/_sim/upserts?external_id=a", key: .none)
            let upserts = try #require(response.json?.objectValue?["upserts"]?.arrayValue)
            #expect(upserts.compactMap { $0.objectValue?["request"]?.numberValue } == [1, 3, 4])
            #expect(upserts.compactMap { $0.objectValue?["status"]?.numberValue } == [200, 400, 200])
            #expect(upserts.last?.objectValue?["entry"] == .object(["external_id": .string("a"), "name": .string("3")]))
        }
    }
}
