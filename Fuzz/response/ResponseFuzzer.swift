/// libFuzzer target: Bookbag's answer (status, `Retry-After`, body) through `ResponseClassifier`.
///
/// Input: 2 bytes of status (little-endian, mod 1000), 1 byte giving the header's
/// length (255: no header), the header, then the body.
/// Invariants: nothing traps; every message is non-empty, has no control
/// characters and at most 200 characters; a 429's wait is within [0, 60 s].
func fuzzResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 3 else { return 0 }
    var reader = FuzzBytes(UnsafeBufferPointer(start: data, count: size))
    let status = Int(reader.uint16() % 1000)
    let headerLength = reader.uint8()
    let header = headerLength == 255 ? nil : String(decoding: reader.take(Int(headerLength)), as: UTF8.self)
    let body = Array(reader.rest)
    let now = Timestamp(nanosecondsSinceEpoch: 1_795_000_000_000_000_000)
    check(ResponseClassifier.classify(status: status, retryAfter: header, body: body, now: now), status: status)
    if let message = ResponseClassifier.message(fromBody: body) { checkMessage(message) }
    return 0
}

private func check(_ outcome: UpsertOutcome, status: Int) {
    switch outcome {
    case .accepted(let entryErrors):
        guard (200..<300).contains(status) else { fatalError("HTTP \(status) accepted") }
        for message in entryErrors.values { checkMessage(message) }
    case .rateLimited(let wait):
        guard status == 429 else { fatalError("HTTP \(status) rate limited") }
        if let wait, wait < .zero || wait > RetryAfter.defaultMaximum { fatalError("wait \(wait) outside [0, 60 s]") }
    case .refused(let code, let message), .undefinedAttribute(let code, let message), .configuration(let code, let message):
        guard code == status else { fatalError("status \(code) reported for HTTP \(status)") }
        checkMessage(message)
    case .transient(let code, let message):
        guard code == status else { fatalError("status \(String(describing: code)) reported for HTTP \(status)") }
        checkMessage(message)
    }
}

private func checkMessage(_ message: String) {
    guard !message.isEmpty, message.count <= DisplayMessage.defaultLimit else {
        fatalError("message of \(message.count) characters: \(message.debugDescription)")
    }
    if message.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        fatalError("control character in \(message.debugDescription)")
    }
}
