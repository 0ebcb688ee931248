import Testing

import ContactSyncCore

private let stamp = FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: 0), sequence: 1)

private func update(_ user: String, _ fields: [ContactField: AttributeValue]) -> ContactUpdate {
    var stamped = FieldValues()
    for (field, value) in fields { stamped[field] = StampedValue(value: value, stamp: stamp) }
    return ContactUpdate(externalID: user, fields: stamped, earliestOccurredAt: stamp.occurredAt)
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Test func inferenceFollowsTheFirstValue() {
    #expect(AttributeType.inferred(from: .string("pro")) == .text)
    #expect(AttributeType.inferred(from: .string("2026-11-24T10:15:00.123Z")) == .date)
    #expect(AttributeType.inferred(from: .string("2026-11-24T12:15:00+02:00")) == .date)
    #expect(AttributeType.inferred(from: .string("2026-11-24")) == .text)
    #expect(AttributeType.inferred(from: .number(4.5)) == .number)
    #expect(AttributeType.inferred(from: .bool(false)) == .boolean)
    #expect(AttributeType.inferred(from: .null) == nil)
}

@Test func typesAcceptOnlyTheirValuesAndNull() {
    #expect(AttributeType.text.accepts(.string("2026-11-24T10:15:00Z")))
    #expect(!AttributeType.text.accepts(.number(1)))
    #expect(AttributeType.number.accepts(.number(1)))
    #expect(!AttributeType.number.accepts(.string("1")))
    #expect(AttributeType.boolean.accepts(.bool(true)))
    #expect(!AttributeType.boolean.accepts(.number(1)))
    #expect(AttributeType.date.accepts(.string("2026-11-24T10:15:00Z")))
    #expect(!AttributeType.date.accepts(.string("yesterday")))
    for type in [AttributeType.text, .number, .boolean, .date] {
        #expect(type.accepts(.null))
    }
}

@Test func inferringPolicyCreatesEachNewAttributeOnceWithItsInferredType() {
    let catalog = AttributeCatalog(definitions: [AttributeDefinition(name: "plan", type: .text)])
    let updates = [
        update("u1", [
            .attribute("plan"): .string("pro"), .attribute("seats"): .number(3),
            .attribute("renews_at"): .string("2027-01-01T00:00:00Z"), .attribute("gone"): .null,
            .lastLoginAt: .string("2026-11-24T10:15:00.000Z"), .email: .string("a@x.io"),
        ]),
        update("u2", [
            .attribute("seats"): .string("three"), .attribute("gone"): .bool(true),
            .attribute("vip"): .bool(true), .attribute("9bad"): .string("x"),
        ]),
    ]
    let planned = catalog.definitionsToCreate(for: updates, policy: .inferring)
    #expect(planned == [
        AttributeDefinition(name: "last_login_at", type: .date),
        AttributeDefinition(name: "renews_at", type: .date),
        AttributeDefinition(name: "seats", type: .number),
        AttributeDefinition(name: "gone", type: .boolean),
        AttributeDefinition(name: "vip", type: .boolean),
    ])
}

@Test func knownAttributesAreNotCreatedAgain() {
    var catalog = AttributeCatalog()
    let batch = [update("u1", [.attribute("plan"): .string("pro"), .lastLoginAt: .string("2026-11-24T10:15:00.000Z")])]
    let planned = catalog.definitionsToCreate(for: batch, policy: .inferring)
    #expect(planned.map(\.name) == ["last_login_at", "plan"])
    catalog.merge(planned)
    #expect(catalog.definitionsToCreate(for: batch, policy: .inferring).isEmpty)
    // Archived ones exist too: never re-created.
    catalog.merge([AttributeDefinition(name: "old", type: .text, archived: true)])
    #expect(catalog.definitionsToCreate(for: [update("u2", [.attribute("old"): .string("x")])], policy: .inferring).isEmpty)
}

@Test func lastLoginAtIsADateEvenWhenAProfileSendsText() {
    let planned = AttributeCatalog().definitionsToCreate(
        for: [update("u1", [.lastLoginAt: .string("recently")])], policy: .inferring)
    #expect(planned == [AttributeDefinition(name: "last_login_at", type: .date)])
}

@Test func allowlistCreatesOnlyListedAttributesWithTheListedType() {
    let policy = AttributePolicy(allowlist: ["plan": .text, "score": .number, "last_login_at": .text])
    let planned = AttributeCatalog().definitionsToCreate(
        for: [update("u1", [
            .attribute("plan"): .null, .attribute("score"): .string("high"), .attribute("other"): .string("x"),
            .lastLoginAt: .string("2026-11-24T10:15:00.000Z"),
        ])],
        policy: policy)
    #expect(planned == [
        AttributeDefinition(name: "last_login_at", type: .date),
        AttributeDefinition(name: "plan", type: .text),
        AttributeDefinition(name: "score", type: .number),
    ])
}

@Test func admitBuildsTheEntryAndNamesWhatItLeavesOut() {
    let catalog = AttributeCatalog(definitions: [
        AttributeDefinition(name: "plan", type: .text),
        AttributeDefinition(name: "seats", type: .number),
        AttributeDefinition(name: "legacy", type: .text, archived: true),
        AttributeDefinition(name: "renews_at", type: .date),
        AttributeDefinition(name: "last_login_at", type: .date),
        AttributeDefinition(name: "vip", type: .boolean),
    ])
    let contact = update("u1", [
        .email: .string("a@x.io"), .name: .null, .phone: .string("+4930"),
        .attribute("plan"): .string("pro"), .attribute("seats"): .string("three"),
        .attribute("legacy"): .null, .attribute("unknown"): .number(1),
        .attribute("renews_at"): .string("2027-01-01T02:00:00.5+02:00"),
        .lastLoginAt: .string("2026-11-24T10:15:00.000Z"), .attribute("vip"): .null,
    ])
    let (entry, ignored) = catalog.admit(contact, policy: .inferring)
    #expect(entry == UpsertEntry(
        externalID: "u1", email: .set("a@x.io"), name: .clear, phoneNumber: .set("+4930"),
        customAttributes: [
            ("last_login_at", .string("2026-11-24T10:15:00.000Z")), ("plan", .string("pro")),
            ("renews_at", .string("2027-01-01T00:00:00.500Z")), ("vip", .null),
        ]))
    #expect(ignored == ["legacy", "seats", "unknown"])
}

@Test func admitLeavesOutUnlistedAttributes() {
    let catalog = AttributeCatalog(definitions: [
        AttributeDefinition(name: "plan", type: .text), AttributeDefinition(name: "team", type: .text),
        AttributeDefinition(name: "last_login_at", type: .date),
    ])
    let (entry, ignored) = catalog.admit(
        update("u1", [
            .attribute("plan"): .string("pro"), .attribute("team"): .string("a"),
            .lastLoginAt: .string("2026-11-24T10:15:00.000Z"),
        ]),
        policy: AttributePolicy(allowlist: ["plan": .text]))
    #expect(entry.customAttributes.map(\.name) == ["last_login_at", "plan"])
    #expect(ignored == ["team"])
    #expect(entry.email == .absent && entry.name == .absent && entry.phoneNumber == .absent)
}

@Test func parseListReadsTheEnvelopeAndABareArray() throws {
    let envelope = bytes("""
        {"message":"ok","data":[{"name":"plan","type":"text","label":"Plan","archived":false},
        {"name":"old","type":"number","label":"old","archived":true},{"name":"bare"},
        {"name":"future","type":"geo"}]}
        """)
    #expect(try AttributeCatalog.parseList(envelope) == [
        AttributeDefinition(name: "plan", type: .text),
        AttributeDefinition(name: "old", type: .number, archived: true),
        AttributeDefinition(name: "bare", type: .text),
    ])
    let bare = bytes(#"[{"name":"when","type":"date","archived":false},{"name":"ok","type":"boolean"}]"#)
    #expect(try AttributeCatalog.parseList(bare) == [
        AttributeDefinition(name: "when", type: .date), AttributeDefinition(name: "ok", type: .boolean),
    ])
    #expect(try AttributeCatalog.parseList(bytes(#"{"message":"ok","data":[]}"#)).isEmpty)
}

@Test func parseListRefusesOtherShapes() {
    #expect(throws: AttributeListError.notJSON) { try AttributeCatalog.parseList(bytes("<html>")) }
    #expect(throws: AttributeListError.unexpectedShape) {
        try AttributeCatalog.parseList(bytes(#"{"message":"Resource not found"}"#))
    }
    #expect(throws: AttributeListError.unexpectedShape) {
        try AttributeCatalog.parseList(bytes(#"[{"type":"text"}]"#))
    }
}

@Test func createRequestBodyIsCompactJSON() {
    let body = AttributeCatalog.createRequestBody(for: AttributeDefinition(name: "renews_at", type: .date))
    #expect(String(decoding: body, as: UTF8.self) == #"{"name":"renews_at","type":"date","label":"renews_at"}"#)
}

@Test func attributeNamesFollowBookbagsRule() {
    #expect(AttributeDefinition.isValidName("plan_2-b"))
    #expect(AttributeDefinition.isValidName("a" + String(repeating: "b", count: 63)))
    #expect(!AttributeDefinition.isValidName("a" + String(repeating: "b", count: 64)))
    #expect(!AttributeDefinition.isValidName(""))
    #expect(!AttributeDefinition.isValidName("_plan"))
    #expect(!AttributeDefinition.isValidName("plan.x"))
    #expect(!AttributeDefinition.isValidName("plän"))
}
