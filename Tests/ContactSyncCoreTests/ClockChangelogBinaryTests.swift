import Testing

import ContactSyncCore

/// Format 2 of the changelog value: a writer prefix, then the store's binary clocks.
@Suite struct ClockChangelogBinaryTests {
    private typealias F = ClockFixture
    private static let sample = ClockChangelogRecordTests.sample
    private static let key = Array("c-1".utf8)

    /// A reader skips its own records by their first bytes, without decoding them.
    @Test func ownRecordsAreToldByTheirPrefix() throws {
        let writer = try #require(Self.sample.writer)
        let value = Self.sample.binaryValue()
        #expect(value.starts(with: ClockChangelogRecord.ownRecordPrefix(writer: writer)))
        #expect(!value.starts(with: ClockChangelogRecord.ownRecordPrefix(writer: String(writer.dropLast()))))
        #expect(!value.starts(with: ClockChangelogRecord.ownRecordPrefix(writer: writer + "0")))
        #expect(!value.starts(with: ClockChangelogRecord.ownRecordPrefix(writer: "another")))
    }

    /// The layout schemas/clock-record.md describes, byte for byte.
    @Test func layoutIsFormatByteWriterThenTheStoresClocks() {
        let record = ClockChangelogRecord(externalID: "c-1", clocks: F.clocks([(.email, F.clock(1, .string("a")))]), writer: "w1")
        let value = record.binaryValue()
        #expect(Array(value.prefix(4)) == [2, 2, UInt8(ascii: "w"), UInt8(ascii: "1")])
        #expect(Array(value.dropFirst(4)) == record.clocks.encoded())
        let anonymous = ClockChangelogRecord(externalID: "c-1", clocks: record.clocks)
        #expect(Array(anonymous.binaryValue().prefix(2)) == [2, 0])
    }

    @Test func roundTripsWithTheKeyAsExternalID() throws {
        let decoded = try ClockChangelogRecord.decode(key: Self.key, value: Self.sample.binaryValue()).get()
        #expect(decoded == Self.sample)
        let anonymous = ClockChangelogRecord(externalID: "c-1", clocks: Self.sample.clocks)
        #expect(try ClockChangelogRecord.decode(key: Self.key, value: anonymous.binaryValue()).get() == anonymous)
        let longWriter = ClockChangelogRecord(externalID: "c-1", clocks: Self.sample.clocks, writer: String(repeating: "w", count: 300))
        #expect(try ClockChangelogRecord.decode(key: Self.key, value: longWriter.binaryValue()).get() == longWriter)
    }

    /// What a restore merges: the clocks' binary form, from either format.
    @Test func bothFormatsGiveTheSameStoreEntry() throws {
        for value in [Self.sample.binaryValue(), Self.sample.jsonBytes()] {
            let entry = try value.withUnsafeBytes { value in
                try Self.key.withUnsafeBytes { ClockChangelogRecord.storeEntry(key: $0, value: value) }.get()
            }
            #expect(entry.externalID == "c-1")
            #expect(entry.encodedClocks == Self.sample.clocks.encoded())
        }
        // A format-1 record names its contact itself; its key is not needed.
        let json = Self.sample.jsonBytes()
        let entry = try json.withUnsafeBytes { ClockChangelogRecord.storeEntry(key: nil, value: $0) }.get()
        #expect(entry.externalID == "c-1")
    }

    @Test(arguments: [
        ([2], "the writer's length is malformed"),
        ([2, 5, 65, 65], "the writer's length is malformed"),
        ([2, 0x80, 0], "the writer's length is malformed"),
        ([2, 1, 0xFF, 1], "the writer is not UTF-8"),
        ([2, 0, 9], "not in the store's canonical form"),
        ([2, 0, 1, 7], "not in the store's canonical form"),
    ] as [([UInt8], String)])
    func malformedValuesAreRefusedWithAReason(value: [UInt8], reason: String) {
        guard case .failure(let error) = ClockChangelogRecord.decode(key: Self.key, value: value) else {
            Issue.record("\(value) was accepted")
            return
        }
        #expect(error.message.contains(reason), "\(error.message)")
        let entry = value.withUnsafeBytes { value in Self.key.withUnsafeBytes { ClockChangelogRecord.storeEntry(key: $0, value: value) } }
        if case .success = entry { Issue.record("\(value) was accepted as a store entry") }
    }

    @Test func aBinaryRecordNeedsAnExternalIDAsItsKey() {
        let value = Self.sample.binaryValue()
        for key in [nil, [], Array("a b".utf8), [0xFF], Array(String(repeating: "a", count: 129).utf8)] as [[UInt8]?] {
            guard case .failure(let error) = ClockChangelogRecord.decode(key: key, value: value) else {
                Issue.record("key \(String(describing: key)) was accepted")
                continue
            }
            #expect(error.message.contains("key must be an external_id"))
        }
    }

    /// An empty clock set is a valid record (a contact whose fields were all rejected keeps none).
    @Test func anEmptyClockSetRoundTrips() throws {
        let record = ClockChangelogRecord(externalID: "c-1", clocks: ContactClocks(), writer: "w")
        #expect(try ClockChangelogRecord.decode(key: Self.key, value: record.binaryValue()).get() == record)
    }
}
