import Foundation

// libFuzzer target for the per-record path of ContactSyncCore:
// decode -> validate -> fold -> reconcile -> admit -> encode.
// Built by scripts/fuzz.sh together with the core's sources as one module
// (so it can stand apart from SwiftPM); it uses the core's public API, and the
// dead letter's internal skeleton encoding to check when fitting may fail.

/// One fuzz input is one Kafka record value. `data` is optional because a
/// driver may pass NULL for an empty input (libFuzzer itself does not).
func fuzzDecodeFold(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let value = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    switch EventDecoder.decode(value, limits: DecodeFoldFuzz.limits) {
    case .success(let event):
        DecodeFoldFuzz.checkDecoded(event, from: value)
        DecodeFoldFuzz.foldAndEncode(event, inputSize: size)
    case .failure(let failure):
        DecodeFoldFuzz.checkRejected(failure, value: value)
    }
    return 0
}

enum DecodeFoldFuzz {
    /// The service's defaults: the fuzzer attacks what production runs.
    static let limits = DecodeLimits()
    static let chatbotID = "123"
    static let topic = "store.customer.profile-changed"

    /// Definitions Bookbag already has, so that type mismatches and archived
    /// attributes are exercised next to inferred ones.
    static let knownDefinitions: [AttributeDefinition] = [
        AttributeDefinition(name: "plan", type: .text),
        AttributeDefinition(name: "score", type: .number),
        AttributeDefinition(name: "vip", type: .boolean),
        AttributeDefinition(name: "renewal_at", type: .date),
        AttributeDefinition(name: "legacy_tier", type: .text, archived: true),
    ]

    // MARK: Decoding

    /// What any decoded event must satisfy (contracts section 1 and `DecodeLimits`).
    static func checkDecoded(_ event: StoreEvent, from value: UnsafeRawBufferPointer) {
        require(ExternalID.isValid(event.externalID), "decoded external_id fails ExternalID.isValid")
        let eventIDLength = event.eventID.unicodeScalars.count
        require((1...128).contains(eventIDLength), "decoded event_id has \(eventIDLength) characters")
        if event.kind == .login {
            require(
                event.email == .absent && event.name == .absent && event.phone == .absent
                    && event.customAttributes.isEmpty,
                "a login carries profile fields")
        }
        if case .set(let email) = event.email { require(ContactFormat.isValidEmail(email), "decoded email breaks the format rule") }
        if case .set(let phone) = event.phone { require(ContactFormat.isValidPhone(phone), "decoded phone breaks the format rule") }
        for change in [event.email, event.name, event.phone] {
            if case .set(let text) = change {
                require(text.utf8.count <= limits.maxStringBytes, "profile string over maxStringBytes")
            }
        }
        checkAttributes(event.customAttributes)
        checkTimestampRoundTrip(event.occurredAt)
        checkSurroundingWhitespaceIsIgnored(event, from: value)
    }

    private static func checkAttributes(_ attributes: [(name: String, value: AttributeValue)]) {
        require(attributes.count <= limits.maxAttributes, "more attributes than maxAttributes")
        require(Set(attributes.map(\.name)).count == attributes.count, "attribute names are not unique")
        for (name, value) in attributes {
            require(AttributeName.isValid(name), "decoded attribute name fails AttributeName.isValid")
            require(AttributeDefinition.isValidName(name), "AttributeName and AttributeDefinition disagree")
            switch value {
            case .string(let text):
                require(text.utf8.count <= limits.maxStringBytes, "attribute string over maxStringBytes")
            case .number(let number):
                require(number.isFinite, "attribute number is not finite")
            case .bool, .null:
                break
            }
        }
    }

    /// `rfc3339Millis` parses back to the instant floored to the millisecond;
    /// only when that floor lies before Int64 nanoseconds can it not.
    private static func checkTimestampRoundTrip(_ instant: Timestamp) {
        let formatted = instant.rfc3339Millis
        let (floored, overflow) = instant.millisecondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000)
        let parsed = Timestamp.parseRFC3339(formatted)
        if overflow {
            require(parsed == nil, "\(formatted) parsed although its instant overflows")
        } else {
            require(parsed?.nanosecondsSinceEpoch == floored, "\(formatted) does not parse back to its instant")
        }
    }

    /// Whitespace around the object is insignificant JSON: the event must not change.
    private static func checkSurroundingWhitespaceIsIgnored(_ event: StoreEvent, from value: UnsafeRawBufferPointer) {
        var padded: [UInt8] = [0x20, 0x0A]
        padded.append(contentsOf: value)
        padded.append(contentsOf: [0x0D, 0x0A, 0x09])
        guard case .success(let again) = EventDecoder.decode(padded, limits: limits) else {
            fail("the event no longer decodes with whitespace around it")
        }
        require(again == event, "whitespace around the object changed the event")
    }

    // MARK: Rejections

    /// A rejection explains itself safely, and its result and dead letter encode.
    static func checkRejected(_ failure: DecodeFailure, value: UnsafeRawBufferPointer) {
        let reason = failure.reason
        require(isSnakeCase(reason.code), "rejection code '\(reason.code)' is not snake_case")
        require(!reason.message.isEmpty, "rejection '\(reason.code)' has an empty message")
        require(
            !reason.message.unicodeScalars.contains { $0.properties.generalCategory == .control },
            "rejection '\(reason.code)' message has a control character")
        require(reason.message.utf8.count <= 512, "rejection '\(reason.code)' message is \(reason.message.utf8.count) bytes")
        if let externalID = failure.externalID {
            require(ExternalID.isValid(externalID), "a rejection reports an invalid external_id")
        }
        if let eventID = failure.eventID {
            require((1...128).contains(eventID.unicodeScalars.count), "a rejection reports an invalid event_id")
        }

        let source = RecordSource(topic: topic, partition: 0, offset: Int64(value.count))
        let error = SyncError(code: reason.code, message: reason.message)
        let decidedAt = Timestamp(nanosecondsSinceEpoch: 1_795_000_000_123_000_000)
        let eventIDs = failure.eventID.map { [$0] } ?? []
        let result = ResultRecord(
            externalID: failure.externalID, status: .rejected, chatbotID: chatbotID, eventIDs: eventIDs,
            sources: [source], attempts: 0, error: error, decidedAt: decidedAt)
        let resultJSON = parsedObject(result.jsonBytes(), "rejected ResultRecord")
        checkResult(resultJSON, externalID: failure.externalID, eventIDs: eventIDs, ignored: [], error: error)

        let original = Array(value)
        let deadLetter = DeadLetterRecord(
            source: source, key: failure.externalID.map { Array($0.utf8) }, value: original, error: error,
            decidedAt: decidedAt, externalID: failure.externalID, eventIDs: eventIDs)
        let letter = parsedObject(deadLetter.jsonBytes(), "DeadLetterRecord")
        let base64 = letter["value_base64"] as? String
        require(base64.flatMap { Data(base64Encoded: $0) } == Data(original), "value_base64 does not decode to the value")
        checkError(letter["error"], equals: error, "DeadLetterRecord")
        require(letter["truncated"] as? Bool == false, "a whole dead letter says truncated")
        checkFits(deadLetter, budget: defaultMessageBudget)
        // A budget the input's size picks, mostly below the whole letter, so that cutting is exercised.
        checkFits(deadLetter, budget: 600 + (value.count &* 7919) % (value.count + 1200))
    }

    /// The producer's default message.max.bytes less the framing the service reserves.
    static let defaultMessageBudget = 1_000_000 - 128

    /// A dead letter fitted to `budget` fits it, keeps a prefix of the key and
    /// value with their true sizes and digests, and says whether it was cut.
    /// Only a budget below its skeleton (empty prefixes, no event_ids) may yield none.
    static func checkFits(_ deadLetter: DeadLetterRecord, budget: Int) {
        guard let message = deadLetter.message(maxBytes: budget) else {
            let skeleton = deadLetter.json(DeadLetterRecord.Cut(key: 0, value: 0, eventIDs: 0, truncated: true), digests: deadLetter.digests())
            require(skeleton.count + (deadLetter.key?.count ?? 0) > budget, "no dead letter although its skeleton fits \(budget) bytes")
            return
        }
        require(message.size <= budget, "a \(message.size)-byte dead letter for a budget of \(budget)")
        let letter = parsedObject(message.value, "fitted DeadLetterRecord")
        let whole = message.value == deadLetter.jsonBytes()
        require(message.truncated == !whole && letter["truncated"] as? Bool == message.truncated, "truncated flag is wrong")
        for (name, original) in [("key", deadLetter.key), ("value", deadLetter.value)] {
            guard let original else {
                require(letter["\(name)_base64"] is NSNull && letter["\(name)_size"] is NSNull, "absent \(name) is not null")
                continue
            }
            let prefix = (letter["\(name)_base64"] as? String).flatMap { Data(base64Encoded: $0) }
            require(prefix.map { Array($0) == Array(original.prefix($0.count)) } == true, "\(name)_base64 is not a prefix of the \(name)")
            require(message.truncated || prefix?.count == original.count, "an uncut dead letter lost part of the \(name)")
            require(letter["\(name)_size"] as? Int == original.count, "\(name)_size is not the \(name)'s size")
            require(letter["\(name)_sha256"] as? String == SHA256.hexDigest(original), "\(name)_sha256 is not the \(name)'s digest")
        }
    }

    static func isSnakeCase(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard let first = bytes.first, let last = bytes.last, (0x61...0x7A).contains(first), last != 0x5F else {
            return false
        }
        var previousWasUnderscore = false
        for byte in bytes {
            let isUnderscore = byte == 0x5F
            guard isUnderscore || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) else { return false }
            if isUnderscore && previousWasUnderscore { return false }
            previousWasUnderscore = isUnderscore
        }
        return true
    }
}
