import ContactSyncCore
import Testing

/// The fold's per-contact field map behaves as the dictionary it replaced.
@Suite struct FieldValuesTests {
    private func stamped(_ text: String, _ seconds: Int64) -> StampedValue {
        StampedValue(value: .string(text), stamp: FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000), sequence: 0))
    }

    @Test func setReplacesAndNilRemoves() {
        var fields = FieldValues()
        fields[.email] = stamped("a", 1)
        fields[.attribute("plan")] = stamped("pro", 2)
        fields[.email] = stamped("b", 3)
        #expect(fields.count == 2)
        #expect(fields[.email] == stamped("b", 3))
        fields[.email] = nil
        fields[.phone] = nil
        #expect(fields.count == 1)
        #expect(fields[.email] == nil)
        #expect(Array(fields.keys) == [.attribute("plan")])
    }

    @Test func keepsFirstOfferedOrderAndComparesWithoutIt() {
        let one: FieldValues = [.name: stamped("n", 1), .attribute("a"): stamped("x", 2), .phone: stamped("p", 3)]
        let other: FieldValues = [.phone: stamped("p", 3), .name: stamped("n", 1), .attribute("a"): stamped("x", 2)]
        #expect(one.map(\.key) == [.name, .attribute("a"), .phone])
        #expect(one == other)
        var changed = other
        changed[.attribute("a")] = stamped("y", 2)
        #expect(one != changed)
        var fewer = other
        fewer[.phone] = nil
        #expect(one != fewer && fewer != one)
    }

    @Test func modifiesOnlyHeldFields() {
        var fields: FieldValues = [.email: stamped("a", 1)]
        #expect(fields.modifyValue(of: .email) { $0 = self.stamped("b", 2) })
        #expect(!fields.modifyValue(of: .name) { _ in Issue.record("not held: not called") })
        #expect(fields == [.email: stamped("b", 2)])
    }
}
