/// libFuzzer target: the clock changelog value (format 2, binary, and format
/// 1, JSON) and the store's binary clocks read arbitrary bytes.
///
/// The whole input goes to `ClockChangelogRecord.decode` (JSON), to
/// `decode(key:value:)` and `storeEntry` (either format), and to
/// `ContactClocks(encoded:)`; its two halves go to the store's merge. A binary
/// record that reads re-encodes to exactly the input, and its store entry is
/// its clock bytes.
/// Invariants: nothing traps; a decoded record re-encodes to JSON that decodes
/// to the same record and re-encodes to the same bytes; a failure has a short
/// message without control characters; binary clocks that read re-encode to
/// exactly the input and survive the JSON form; a merge is idempotent, keeps
/// every field of both sides and never moves a clock backwards; deciding an
/// update against decoded clocks matches a plain oracle (ReconcileChecks.swift).
func fuzzClockRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    checkRecord(bytes)
    checkBinaryRecord(bytes)
    if let clocks = ContactClocks(encoded: bytes) { checkBinary(clocks, from: bytes) }
    let half = bytes.count / 2
    checkMerge(UnsafeRawBufferPointer(rebasing: bytes[..<half]), UnsafeRawBufferPointer(rebasing: bytes[half...]))
    return 0
}

func checkRecord(_ bytes: UnsafeRawBufferPointer) {
    switch ClockChangelogRecord.decode(bytes) {
    case .success(let record):
        let json = record.jsonBytes()
        guard case .success(let again) = ClockChangelogRecord.decode(json) else {
            fatalError("jsonBytes() of a decoded record does not decode: \(String(decoding: json, as: UTF8.self))")
        }
        if again != record { fatalError("record changed on the way through JSON: \(record) -> \(again)") }
        if again.jsonBytes() != json { fatalError("JSON not canonical: \(String(decoding: json, as: UTF8.self))") }
        checkBinary(record.clocks, from: nil)
        checkDecision(record.clocks, resendStored: false)
        checkDecision(record.clocks, resendStored: true)
    case .failure(let error):
        let message = error.message
        if message.isEmpty || message.utf8.count > 600 { fatalError("bad error message length: \(message.debugDescription)") }
        if message.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            fatalError("control character in error message: \(message.debugDescription)")
        }
    }
}

func checkBinaryRecord(_ bytes: UnsafeRawBufferPointer) {
    let key: [UInt8] = Array("c-1".utf8)
    let decoded = key.withUnsafeBytes { ClockChangelogRecord.decode(key: $0, value: bytes) }
    let entry = key.withUnsafeBytes { ClockChangelogRecord.storeEntry(key: $0, value: bytes) }
    switch (decoded, entry) {
    case (.success(let record), .success(let entry)):
        guard entry.externalID == record.externalID, entry.encodedClocks == record.clocks.encoded() else {
            fatalError("storeEntry and decode disagree on \(Array(bytes))")
        }
        if bytes.first == ClockChangelogRecord.binaryFormat {
            guard record.externalID == "c-1" else { fatalError("a binary record did not take its key") }
            let again = record.binaryValue()
            if !again.elementsEqual(bytes) { fatalError("binary record not canonical: \(Array(bytes)) -> \(again)") }
        }
    case (.failure(let error), .failure):
        if error.message.isEmpty || error.message.utf8.count > 600 { fatalError("bad error message: \(error.message.debugDescription)") }
    default:
        fatalError("storeEntry and decode disagree on whether \(Array(bytes)) reads")
    }
}

/// `clocks` came from `input` (binary) or from a decoded record (nil).
func checkBinary(_ clocks: ContactClocks, from input: UnsafeRawBufferPointer?) {
    let encoded = clocks.encoded()
    if let input, !encoded.elementsEqual(input) { fatalError("binary clocks not canonical: \(Array(input))") }
    guard let again = ContactClocks(encoded: encoded), again == clocks else {
        fatalError("binary clocks do not round-trip: \(clocks)")
    }
    let record = ClockChangelogRecord(externalID: "c-1", clocks: clocks, writer: "fuzz")
    guard case .success(let decoded) = ClockChangelogRecord.decode(record.jsonBytes()), decoded == record else {
        fatalError("clocks do not round-trip through JSON: \(String(decoding: record.jsonBytes(), as: UTF8.self))")
    }
}

func checkMerge(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
    let merged = ContactClocks.mergingEncoded(first, second)
    guard let result = ContactClocks(encoded: merged) else { fatalError("a merge wrote unreadable bytes: \(merged)") }
    let existing = ContactClocks(encoded: first) ?? ContactClocks()
    let incoming = ContactClocks(encoded: second) ?? ContactClocks()
    for side in [existing, incoming] {
        for entry in side {
            guard let kept = result.clock(for: entry.field), entry.clock.occurredAt <= kept.occurredAt else {
                fatalError("a merge lost or moved back \(entry.field)")
            }
        }
    }
    for entry in incoming where result.clock(for: entry.field)?.occurredAt == entry.clock.occurredAt {
        if result.clock(for: entry.field) != entry.clock { fatalError("a tie did not go to the incoming clock") }
    }
    if result.count > existing.count + incoming.count { fatalError("a merge invented fields") }
    let again = merged.withUnsafeBytes { ContactClocks.mergingEncoded($0, $0) }
    if again != merged { fatalError("merging clocks with themselves changed them") }
}
