import ContactSyncCore

/// Builders shared by the clock tests.
enum ClockFixture {
    static func at(_ seconds: Int64, nanos: Int64 = 0) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos)
    }

    static func clock(_ seconds: Int64, _ value: AttributeValue) -> FieldClock {
        FieldClock(occurredAt: at(seconds), digest: ValueDigest.of(value))
    }

    static func stamped(_ value: AttributeValue, _ seconds: Int64, sequence: UInt64 = 0) -> StampedValue {
        StampedValue(value: value, stamp: FieldStamp(occurredAt: at(seconds), sequence: sequence))
    }

    static func update(_ user: String, _ fields: FieldValues) -> ContactUpdate {
        ContactUpdate(
            externalID: user, fields: fields, eventIDs: ["e-\(user)"],
            sources: [RecordSource(topic: "in", partition: 0, offset: 7)], eventCount: 1,
            earliestOccurredAt: Timestamp(nanosecondsSinceEpoch: 0))
    }

    static func clocks(_ entries: [(ContactField, FieldClock)]) -> ContactClocks {
        ContactClocks(entries.map { ContactClocks.Entry(field: $0.0, clock: $0.1) })
    }
}
