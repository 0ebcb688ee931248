import Testing

import ContactSyncCore

private func stamp(_ seconds: Int64, _ sequence: UInt64 = 0) -> FieldStamp {
    FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000), sequence: sequence)
}

private func update(_ user: String, _ fields: [ContactField: StampedValue]) -> ContactUpdate {
    ContactUpdate(
        externalID: user, fields: fields, eventIDs: ["e-\(user)"], eventCount: 1,
        earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0))
}

private func value(_ text: String, _ at: FieldStamp) -> StampedValue {
    StampedValue(value: .string(text), stamp: at)
}

@Test func unknownContactPassesThroughWhole() {
    var memory = ContactMemory(capacity: 10)
    let first = update("u1", [.email: value("a@x.io", stamp(1))])
    #expect(memory.reconcile(first) == .changed(first))
    #expect(memory.count == 0)
}

@Test func staleFieldIsDroppedAcrossBatches() {
    var memory = ContactMemory(capacity: 10)
    memory.remember(update("u1", [.email: value("new@x.io", stamp(20)), .name: value("N", stamp(20))]))
    // A later batch brings an older email and a newer name.
    let late = update("u1", [.email: value("old@x.io", stamp(10)), .name: value("M", stamp(30))])
    guard case .changed(let kept) = memory.reconcile(late) else {
        Issue.record("expected a change")
        return
    }
    #expect(kept.fields == [.name: value("M", stamp(30))])
    #expect(kept.eventIDs == late.eventIDs)
}

@Test func sameValuesAreUnchanged() {
    var memory = ContactMemory(capacity: 10)
    memory.remember(update("u1", [.email: value("a@x.io", stamp(5)), .lastLoginAt: value("t", stamp(5))]))
    #expect(memory.reconcile(update("u1", [.email: value("a@x.io", stamp(6))])) == .unchanged)
    #expect(memory.reconcile(update("u1", [.email: value("a@x.io", stamp(5))])) == .unchanged)
    #expect(memory.reconcile(update("u1", [.email: value("b@x.io", stamp(4))])) == .unchanged)
    #expect(memory.reconcile(update("u1", [:])) == .unchanged)
}

@Test func equalValueAdvancesTheRememberedStamp() {
    var memory = ContactMemory(capacity: 10)
    memory.remember(update("u1", [.name: value("A", stamp(10))]))
    // Same value, newer stamp: nothing to send, but the stored stamp is now 20 ...
    #expect(memory.reconcile(update("u1", [.name: value("A", stamp(20))])) == .unchanged)
    // ... so a value from 15 is stale, though it is newer than the stamp first stored.
    #expect(memory.reconcile(update("u1", [.name: value("B", stamp(15))])) == .unchanged)
    let newer = update("u1", [.name: value("C", stamp(25))])
    #expect(memory.reconcile(newer) == .changed(newer))
}

@Test func rememberKeepsTheNewerStamp() {
    var memory = ContactMemory(capacity: 10)
    memory.remember(update("u1", [.phone: value("+2", stamp(20))]))
    memory.remember(update("u1", [.phone: value("+1", stamp(10))]))
    #expect(memory.reconcile(update("u1", [.phone: value("+2", stamp(21))])) == .unchanged)
    let clear = update("u1", [.phone: StampedValue(value: .null, stamp: stamp(22))])
    #expect(memory.reconcile(clear) == .changed(clear))
}

@Test func tieOnOccurredAtIsDecidedBySequence() {
    var memory = ContactMemory(capacity: 10)
    memory.remember(update("u1", [.name: value("A", stamp(10, 5))]))
    #expect(memory.reconcile(update("u1", [.name: value("B", stamp(10, 4))])) == .unchanged)
    let later = update("u1", [.name: value("B", stamp(10, 6))])
    #expect(memory.reconcile(later) == .changed(later))
}

@Test(arguments: [0, 1, 2, 3, 7, 100])
func countNeverExceedsCapacity(capacity: Int) {
    var memory = ContactMemory(capacity: capacity)
    for index in 0..<1_000 {
        memory.remember(update("u\(index)", [.name: value("n", stamp(1))]))
        // Touch an old contact too, which may promote it.
        _ = memory.reconcile(update("u\(index / 2)", [.name: value("m", stamp(2))]))
        #expect(memory.count <= capacity)
    }
    #expect(memory.count >= capacity / 2)
}

@Test func evictionForgetsOldestAndKeepsRecentlyUsed() {
    var memory = ContactMemory(capacity: 4)  // two generations of two
    let stored = [ContactField.name: value("A", stamp(10))]
    memory.remember(update("u1", stored))
    memory.remember(update("u2", stored))
    memory.remember(update("u3", stored))  // u1, u2 become the previous generation
    #expect(memory.reconcile(update("u1", stored)) == .unchanged)  // u1 moves back to current
    memory.remember(update("u4", stored))  // u3, u1 previous; u4 current; u2 dropped
    #expect(memory.count == 3)
    let u2 = update("u2", stored)
    #expect(memory.reconcile(u2) == .changed(u2))  // forgotten: re-sent
    #expect(memory.reconcile(update("u1", stored)) == .unchanged)
    #expect(memory.reconcile(update("u3", stored)) == .unchanged)
    #expect(memory.reconcile(update("u4", stored)) == .unchanged)
    #expect(memory.count <= 4)
}

@Test func zeroCapacityRemembersNothing() {
    var memory = ContactMemory(capacity: 0)
    let stored = update("u1", [.name: value("A", stamp(10))])
    memory.remember(stored)
    #expect(memory.count == 0)
    #expect(memory.reconcile(stored) == .changed(stored))
}
