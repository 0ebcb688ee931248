import Testing

import ContactSyncCore
import Workload

/// 2026-11-24T10:15:00.000Z plus `seconds`.
private func at(_ seconds: Int64) -> Timestamp {
    Timestamp(nanosecondsSinceEpoch: (1_795_515_300 + seconds) * 1_000_000_000)
}

private func source(_ offset: Int64) -> RecordSource {
    RecordSource(topic: "store.customer.profile-changed", partition: 0, offset: offset)
}

private func profile(
    _ id: String, _ user: String, at time: Timestamp, email: FieldChange<String> = .absent,
    name: FieldChange<String> = .absent, phone: FieldChange<String> = .absent,
    attributes: [(name: String, value: AttributeValue)] = []
) -> StoreEvent {
    StoreEvent(
        kind: .profileChanged, eventID: id, occurredAt: time, externalID: user, email: email,
        name: name, phone: phone, customAttributes: attributes)
}

private func login(_ id: String, _ user: String, at time: Timestamp) -> StoreEvent {
    StoreEvent(kind: .login, eventID: id, occurredAt: time, externalID: user)
}

private func fold(_ events: [StoreEvent]) -> [ContactUpdate] {
    var folder = BatchFolder()
    for (index, event) in events.enumerated() {
        folder.add(event, source: source(Int64(index)), sequence: UInt64(index + 1))
    }
    return folder.updates
}

@Test func laterOccurredAtWinsWhateverTheReadOrder() {
    let newer = profile("e1", "u1", at: at(20), email: .set("new@x.io"), name: .set("New"))
    let older = profile("e2", "u1", at: at(10), email: .set("old@x.io"), phone: .set("+1"))
    for events in [[newer, older], [older, newer]] {
        let updates = fold(events)
        #expect(updates.count == 1)
        let update = updates[0]
        #expect(update.fields[.email]?.value == .string("new@x.io"))
        #expect(update.fields[.email]?.stamp.occurredAt == at(20))
        #expect(update.fields[.name]?.value == .string("New"))
        // A field only the older event set still comes from it.
        #expect(update.fields[.phone]?.value == .string("+1"))
        #expect(update.fields[.phone]?.stamp.occurredAt == at(10))
        #expect(update.earliestOccurredAt == at(10))
        #expect(update.eventCount == 2)
        #expect(update.eventIDs == events.map(\.eventID))
    }
}

@Test func equalOccurredAtGoesToTheRecordReadLater() {
    var folder = BatchFolder()
    // Added out of read order: sequence decides, not the order of add calls.
    folder.add(profile("e2", "u1", at: at(5), name: .set("Second")), source: source(2), sequence: 8)
    folder.add(profile("e1", "u1", at: at(5), name: .set("First")), source: source(1), sequence: 7)
    #expect(folder.updates[0].fields[.name] ==
        StampedValue(value: .string("Second"), stamp: FieldStamp(occurredAt: at(5), sequence: 8), divergedAt: at(5)))
    #expect(folder.updates[0].sources == [source(2), source(1)])
}

@Test func nullClearsAndAbsentLeavesUnchanged() {
    let updates = fold([
        profile("e1", "u1", at: at(1), email: .set("a@x.io"), name: .set("A"), phone: .set("+1")),
        profile("e2", "u1", at: at(2), email: .clear, attributes: [("plan", .null)]),
    ])
    let fields = updates[0].fields
    #expect(fields[.email]?.value == .null)
    #expect(fields[.name]?.value == .string("A"))
    #expect(fields[.phone]?.value == .string("+1"))
    #expect(fields[.attribute("plan")]?.value == .null)
    #expect(fields.count == 4)
}

@Test func loginOnlySetsLastLoginAtToTheLatestLogin() {
    let updates = fold([
        login("l1", "u1", at: at(30)), login("l2", "u1", at: Timestamp(nanosecondsSinceEpoch: at(40).nanosecondsSinceEpoch + 123_456_789)),
        login("l3", "u1", at: at(35)),
    ])
    #expect(updates.count == 1)
    let fields = updates[0].fields
    #expect(fields.count == 1)
    #expect(fields[.lastLoginAt]?.value == .string("2026-11-24T10:15:40.123Z"))
    #expect(fields[.lastLoginAt]?.stamp.sequence == 2)
    #expect(updates[0].earliestOccurredAt == at(30))
}

@Test func mixedContactsKeepOrderOfFirstAppearance() {
    let updates = fold([
        profile("p1", "bob", at: at(3), attributes: [("plan", .string("pro")), ("seats", .number(3))]),
        login("l1", "amy", at: at(1)),
        profile("p2", "amy", at: at(2), name: .set("Amy")),
        profile("p3", "bob", at: at(1), attributes: [("plan", .string("free")), ("trial", .bool(true))]),
        login("l2", "bob", at: at(4)),
    ])
    #expect(updates.map(\.externalID) == ["bob", "amy"])
    let bob = updates[0]
    #expect(bob.fields[.attribute("plan")]?.value == .string("pro"))
    #expect(bob.fields[.attribute("seats")]?.value == .number(3))
    #expect(bob.fields[.attribute("trial")]?.value == .bool(true))
    #expect(bob.fields[.lastLoginAt]?.value == .string(at(4).rfc3339Millis))
    #expect(bob.eventIDs == ["p1", "p3", "l2"])
    #expect(bob.sources == [source(0), source(3), source(4)])
    let amy = updates[1]
    #expect(amy.fields[.name]?.value == .string("Amy"))
    #expect(amy.fields[.lastLoginAt]?.value == .string(at(1).rfc3339Millis))
    #expect(amy.eventCount == 2)
}

@Test func removeAllStartsAFreshBatch() {
    var folder = BatchFolder()
    folder.add(login("l1", "u1", at: at(1)), source: source(0), sequence: 1)
    folder.removeAll()
    #expect(folder.isEmpty)
    folder.add(login("l2", "u2", at: at(2)), source: source(1), sequence: 2)
    #expect(folder.updates.map(\.externalID) == ["u2"])
    #expect(folder.updates[0].eventIDs == ["l2"])
}

/// What `ClockReconciler` needs to tell a batch that returned to a value from
/// one that never left it: the latest time another value was seen.
@Test func divergedAtIsTheLatestOtherValueWhateverTheReadOrder() {
    let events = [
        profile("e1", "u1", at: at(10), attributes: [("plan", .string("free"))]),
        profile("e2", "u1", at: at(20), attributes: [("plan", .string("basic"))]),
        profile("e3", "u1", at: at(30), attributes: [("plan", .string("free"))]),
        profile("e4", "u1", at: at(5), attributes: [("plan", .string("pro"))]),
    ]
    for order in [events, events.reversed(), [events[2], events[0], events[3], events[1]]] {
        let plan = fold(order)[0].fields[.attribute("plan")]
        #expect(plan?.value == .string("free"))
        #expect(plan?.stamp.occurredAt == at(30))
        // basic at 20 is the latest other value; an order may over-state it (free at 10 read before basic), never under-state.
        let diverged = plan?.divergedAt
        #expect(diverged.map { $0 >= at(20) && $0 < at(30) } == true, "\(String(describing: diverged))")
    }
    // One value throughout: nothing diverged.
    let same = fold([
        profile("s1", "u2", at: at(10), attributes: [("plan", .string("free"))]),
        profile("s2", "u2", at: at(30), attributes: [("plan", .string("free"))]),
    ])
    #expect(same[0].fields[.attribute("plan")]?.divergedAt == nil)
}

/// An older login read after a newer one is not formatted, but still counts as another value.
@Test func anOlderLoginReadLaterStillMovesDivergedAt() {
    let updates = fold([login("l2", "u1", at: at(20)), login("l1", "u1", at: at(10)), login("l3", "u1", at: at(20))])
    let held = updates[0].fields[.lastLoginAt]
    #expect(held?.stamp.occurredAt == at(20))
    #expect(held?.divergedAt == at(10))
}

/// `last_login_at` holds milliseconds: an older login in the same millisecond
/// carried the same value, so nothing diverged (the decode-fold fuzzer found
/// logins 1 µs apart marked as another value).
@Test func anOlderLoginInTheSameMillisecondIsTheSameValue() {
    let newer = Timestamp(nanosecondsSinceEpoch: at(20).nanosecondsSinceEpoch + 123_001_000)
    let older = Timestamp(nanosecondsSinceEpoch: at(20).nanosecondsSinceEpoch + 123_000_000)
    let updates = fold([login("l2", "u1", at: newer), login("l1", "u1", at: older)])
    #expect(updates[0].fields[.lastLoginAt]?.divergedAt == nil)
    let earlier = Timestamp(nanosecondsSinceEpoch: at(20).nanosecondsSinceEpoch + 122_999_000)
    #expect(fold([login("l2", "u1", at: newer), login("l0", "u1", at: earlier)])[0].fields[.lastLoginAt]?.divergedAt == earlier)
}

/// A batch's contacts carried into the next batch fold on as if one folder had
/// read all their events: the same fields, stamps, divergences, event ids and
/// sources, in read order.
@Test(arguments: [1, 2, 3, 4, 5])
func carriedContactsFoldOnAsOneFolderWould(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let users = ["u1", "u2", "u3", "u4", "u5"]
    let events: [StoreEvent] = (0..<60).map { index in
        let user = users[Int(random.next() % UInt64(users.count))]
        let time = at(Int64(random.next() % 20))
        if random.next() % 2 == 0 { return login("e\(index)", user, at: time) }
        let names: [FieldChange<String>] = [.absent, .clear, .set("A"), .set("B")]
        return profile(
            "e\(index)", user, at: time, name: names[Int(random.next() % 4)],
            attributes: random.next() % 3 == 0 ? [("tier", .string(random.next() % 2 == 0 ? "gold" : "silver"))] : [])
    }
    let split = 25
    var first = BatchFolder()
    for index in 0..<split {
        first.add(events[index], source: source(Int64(index)), sequence: UInt64(index + 1))
    }
    // Contacts u1 and u2 were in flight: they are carried; the rest went out with the first batch.
    let carried = first.updates.filter { ["u1", "u2"].contains($0.externalID) }
    var next = BatchFolder(continuing: carried)
    var reference = BatchFolder()
    for index in 0..<events.count where index >= split || ["u1", "u2"].contains(events[index].externalID) {
        if index >= split { next.add(events[index], source: source(Int64(index)), sequence: UInt64(index + 1)) }
        reference.add(events[index], source: source(Int64(index)), sequence: UInt64(index + 1))
    }
    #expect(Dictionary(uniqueKeysWithValues: next.updates.map { ($0.externalID, $0) })
        == Dictionary(uniqueKeysWithValues: reference.updates.map { ($0.externalID, $0) }))
    #expect(next.updates.prefix(carried.count).map(\.externalID) == carried.map(\.externalID), "carried contacts come first")
}

