/// Decides an update built from `clocks` against them and checks the decision
/// against a plain oracle of the rule. Per field, bits of its digest choose the
/// offered `occurred_at` (one nanosecond older, equal or newer) and whether the
/// offered value is the stored one; one more field has no clock at all.
func checkDecision(_ clocks: ContactClocks, resendStored: Bool) {
    var fields = FieldValues()
    var stored = ContactClocks()
    var expectedKept: Set<ContactField> = [.attribute("never-stored")]
    var expectedRefused = 0
    var expectedAdvanced = ContactClocks()
    for (index, entry) in clocks.enumerated() {
        let value = AttributeValue.number(Double(index))
        let sameValue = entry.clock.digest & 4 != 0
        let clock = FieldClock(
            occurredAt: entry.clock.occurredAt, digest: sameValue ? ValueDigest.of(value) : entry.clock.digest)
        stored.merge(entry.field, clock)
        let base = entry.clock.occurredAt.nanosecondsSinceEpoch
        let shift: Int64 = [-1, 0, 1, 0][Int(entry.clock.digest & 3)]
        let (offeredNanos, overflowed) = base.addingReportingOverflow(shift)
        let offeredAt = Timestamp(nanosecondsSinceEpoch: overflowed ? base : offeredNanos)
        fields[entry.field] = StampedValue(value: value, stamp: FieldStamp(occurredAt: offeredAt, sequence: UInt64(index)))
        if offeredAt < clock.occurredAt {
            expectedRefused += 1
        } else if resendStored || ValueDigest.of(value) != clock.digest {
            expectedKept.insert(entry.field)
        } else if clock.occurredAt < offeredAt {
            expectedAdvanced.merge(entry.field, FieldClock(occurredAt: offeredAt, digest: clock.digest))
        }
    }
    fields[.attribute("never-stored")] = StampedValue(
        value: .null, stamp: FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: 0), sequence: 0))
    let update = ContactUpdate(
        externalID: "c-1", fields: fields, eventIDs: ["e-1"], eventCount: 1,
        earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0))
    let decision = ClockReconciler.decide(update, against: stored, resendStored: resendStored)
    guard case .send(let sent, let refused, let advanced) = decision else {
        fatalError("a field without a clock was not sent: \(decision)")
    }
    if Set(sent.fields.keys) != expectedKept { fatalError("kept \(sent.fields.keys), expected \(expectedKept)") }
    if refused != expectedRefused { fatalError("refused \(refused), expected \(expectedRefused)") }
    if advanced != expectedAdvanced { fatalError("advanced \(advanced), expected \(expectedAdvanced)") }
    if sent.eventIDs != update.eventIDs || sent.externalID != update.externalID {
        fatalError("the sent update lost its events")
    }
    for (field, value) in sent.fields where update.fields[field] != value { fatalError("\(field) changed its value") }
}
