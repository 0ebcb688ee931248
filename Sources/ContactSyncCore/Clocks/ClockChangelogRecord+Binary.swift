/// The changelog value contact-sync writes, format 2 (schemas/clock-record.md):
///
///     0x02 | writer length (unsigned LEB128, 0 = unknown) | writer (UTF-8) | clocks
///
/// where `clocks` is the contact's clock set in the local store's binary form
/// (`ContactClocks.encoded()`), and the external_id is the Kafka key. The
/// pipeline already holds that form for the store, so a record costs one copy
/// instead of a JSON encoding, and a restore merges it without re-encoding.
/// Format 1 (JSON, schemas/clock.schema.json), which earlier versions wrote,
/// is still read: a JSON text never begins with the byte 0x02.
extension ClockChangelogRecord {
    public static let binaryFormat: UInt8 = 2

    /// How every record `writer` writes begins: a reader skips its own records
    /// by this prefix, without decoding them (they are in its store already).
    /// The length comes first, so one writer's prefix never begins another's.
    public static func ownRecordPrefix(writer: String) -> [UInt8] {
        var out: [UInt8] = [binaryFormat]
        BinaryClockReader.appendVarint(UInt64(writer.utf8.count), to: &out)
        out.append(contentsOf: writer.utf8)
        return out
    }

    /// A changelog value: a writer's prefix (`ownRecordPrefix`), then clocks already encoded.
    public static func binaryValue(prefix: [UInt8], encodedClocks: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(prefix.count + encodedClocks.count)
        out.append(contentsOf: prefix)
        out.append(contentsOf: encodedClocks)
        return out
    }

    /// This record's changelog value (its external_id goes in the key).
    public func binaryValue() -> [UInt8] {
        Self.binaryValue(prefix: Self.ownRecordPrefix(writer: writer ?? ""), encodedClocks: clocks.encoded())
    }

    /// A changelog record in either format, as the local store keeps it: the
    /// external_id and the clocks' binary form. Never traps.
    public static func storeEntry(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer
    ) -> Result<(externalID: String, encodedClocks: [UInt8]), ClockRecordError> {
        guard value.first == binaryFormat else {
            return decode(value).map { ($0.externalID, $0.clocks.encoded()) }
        }
        // The clock bytes were checked canonical by decoding them: they are kept as they are.
        return binaryRecord(key: key, value: value).map { ($0.externalID, Array($0.clockBytes)) }
    }

    /// A changelog record in either format. Never traps.
    public static func decode(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) -> Result<ClockChangelogRecord, ClockRecordError> {
        guard value.first == binaryFormat else { return decode(value) }
        return binaryRecord(key: key, value: value).map { read in
            let writer = read.writer.isEmpty ? nil : String(decoding: read.writer, as: UTF8.self)
            return ClockChangelogRecord(externalID: read.externalID, clocks: read.clocks, writer: writer)
        }
    }

    /// `decode(key:value:)` on arrays.
    public static func decode(key: [UInt8]?, value: [UInt8]) -> Result<ClockChangelogRecord, ClockRecordError> {
        value.withUnsafeBytes { value in
            guard let key else { return decode(key: nil, value: value) }
            return key.withUnsafeBytes { decode(key: $0, value: value) }
        }
    }

    /// A format-2 value read and checked; the writer and the clock bytes are slices of `value`.
    private static func binaryRecord(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer
    ) -> Result<
        (externalID: String, writer: UnsafeRawBufferPointer, clocks: ContactClocks, clockBytes: UnsafeRawBufferPointer),
        ClockRecordError
    > {
        guard let key, ExternalID.isValid(utf8: key) else {
            return .failure(ClockRecordError("binary record: the key must be an external_id matching \(ExternalID.pattern)"))
        }
        var reader = BinaryClockReader(bytes: value)
        _ = reader.byte()
        guard let length = reader.varint(), length <= UInt64(value.count - reader.position) else {
            return .failure(ClockRecordError("binary record: the writer's length is malformed or runs past the end"))
        }
        let writerBytes = UnsafeRawBufferPointer(rebasing: value[reader.position..<(reader.position + Int(length))])
        guard UTF8Validation.firstInvalidOffset(in: writerBytes) == nil else {
            return .failure(ClockRecordError("binary record: the writer is not UTF-8"))
        }
        let clockBytes = UnsafeRawBufferPointer(rebasing: value[(reader.position + Int(length))...])
        guard let clocks = ContactClocks(encoded: clockBytes) else {
            return .failure(ClockRecordError("binary record: the clocks are not in the store's canonical form"))
        }
        return .success((String(decoding: key, as: UTF8.self), writerBytes, clocks, clockBytes))
    }
}
