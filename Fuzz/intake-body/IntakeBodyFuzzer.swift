import Foundation

/// libFuzzer target: a webhook body through `IntakeBody.parse`, and its
/// answer through `IntakeProblem`.
///
/// The whole input is the body, parsed twice: with the default limits and at
/// most 8 events, and with a depth limit of 4 and at most 3 events.
/// Invariants: nothing traps; on success each event's `value` starts with `{`,
/// ends with `}`, is a slice of the input after the previous one, and
/// re-decodes with `EventDecoder` to the same event, indices count from 0, and
/// Foundation's parser reads the body as an object with that many events; the
/// same body with whitespace around parses the same; on failure the code is
/// known, event errors appear only for `invalid_events`, ascending and within
/// the batch, at most 100; the problem+json and 202 bodies parse with
/// Foundation's JSONSerialization and carry the values written.
func fuzzIntakeBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    IntakeBodyFuzz.check(body, maxEvents: 8, limits: DecodeLimits())
    IntakeBodyFuzz.check(body, maxEvents: 3, limits: DecodeLimits(maxDepth: 4))
    return 0
}

enum IntakeBodyFuzz {
    static let bodyCodes: Set<String> = [
        "malformed_body", "empty_batch", "too_many_events", "events_not_an_array", "invalid_events",
    ]

    static func check(_ body: [UInt8], maxEvents: Int, limits: DecodeLimits) {
        let result = IntakeBody.parse(body, maxEvents: maxEvents, limits: limits)
        switch result {
        case .success(let events):
            checkAccepted(events, body: body, maxEvents: maxEvents, limits: limits)
            // Whitespace around the body changes nothing but the offsets.
            let padded = Array(" \r\n\t".utf8) + body + Array("\n ".utf8)
            guard case .success(let again) = IntakeBody.parse(padded, maxEvents: maxEvents, limits: limits) else {
                fail("the body with whitespace around is refused")
            }
            require(again.map(\.value) == events.map(\.value), "whitespace around changed the events")
        case .failure(let rejection):
            checkRejected(rejection, maxEvents: maxEvents)
        }
    }

    static func checkAccepted(_ events: [IntakeEvent], body: [UInt8], maxEvents: Int, limits: DecodeLimits) {
        require(!events.isEmpty && events.count <= maxEvents, "accepted \(events.count) events")
        var searchFrom = 0
        for (position, accepted) in events.enumerated() {
            require(accepted.index == position, "event \(position) has index \(accepted.index)")
            require(accepted.value.first == UInt8(ascii: "{") && accepted.value.last == UInt8(ascii: "}"),
                "event \(position) is not its braces")
            guard let start = firstOffset(of: accepted.value, in: body, from: searchFrom) else {
                fail("event \(position) is not a slice of the body after the previous event")
            }
            searchFrom = start + accepted.value.count
            guard case .success(let decoded) = EventDecoder.decode(accepted.value, limits: limits) else {
                fail("event \(position)'s value does not decode")
            }
            require(decoded == accepted.event, "event \(position) decodes to another event")
        }
        // An independent parser agrees on the shape.
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            fail("accepted a body Foundation does not read as an object: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        if let batch = object["events"] {
            require((batch as? [Any])?.count == events.count, "Foundation counts other events")
        } else {
            require(events.count == 1, "a body without events gave \(events.count) events")
        }
        let accepted = IntakeProblem.accepted(count: events.count, webhookID: events[0].event.eventID, duplicate: false)
        let answer = parsedObject(accepted, "the 202 body")
        require((answer["accepted"] as? Int) == events.count, "202 count")
        require(sameText(answer["webhook_id"], events[0].event.eventID), "202 webhook_id")
        require((answer["duplicate"] as? Bool) == false, "202 duplicate")
    }

    static func checkRejected(_ rejection: IntakeBodyRejection, maxEvents: Int) {
        require(bodyCodes.contains(rejection.code), "unknown code \(rejection.code)")
        require(!rejection.message.isEmpty && rejection.message.utf8.count <= 400, "bad message length")
        if rejection.code == "invalid_events" {
            let indices = rejection.events.map(\.index)
            require(!indices.isEmpty && indices.count <= IntakeBodyRejection.maxListedEvents, "\(indices.count) errors")
            require(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 }, "indices not ascending: \(indices)")
            require(indices.allSatisfy { $0 >= 0 && $0 < max(maxEvents, 1) }, "index out of range: \(indices)")
            for error in rejection.events {
                require(isSnakeCase(error.code), "event code \(error.code)")
                require(!error.message.isEmpty, "empty event message")
            }
        } else {
            require(rejection.events.isEmpty, "\(rejection.code) lists events")
        }
        let problem = IntakeProblem.json(
            status: 400, title: "Bad Request", detail: rejection.message,
            type: "https://contact-sync.local/problems/\(rejection.code)", errors: rejection.events)
        let object = parsedObject(problem, "the problem body")
        require((object["status"] as? Int) == 400, "problem status")
        require(sameText(object["detail"], rejection.message), "problem detail")
        if rejection.events.isEmpty {
            require(object["errors"] == nil, "problem has errors without events")
        } else {
            let errors = object["errors"] as? [[String: Any]] ?? []
            require(errors.count == rejection.events.count, "problem errors count")
            for (json, error) in zip(errors, rejection.events) {
                require((json["index"] as? Int) == error.index, "problem error index")
                require(sameText(json["code"], error.code) && sameText(json["message"], error.message), "problem error text")
            }
        }
    }

    /// The first offset at or after `from` where `needle` occurs in `haystack`.
    static func firstOffset(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count - from else { return nil }
        for start in from...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    static func isSnakeCase(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    static func parsedObject(_ bytes: [UInt8], _ what: String) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            fail("\(what) is not a JSON object: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        return object
    }

    /// Byte for byte: Swift's `==` on strings is canonical equivalence, which would hide a normalisation.
    /// One difference is Foundation's, not the writer's: on Linux, JSONSerialization drops a U+FEFF
    /// at the very start of a string value (taking it for a byte order mark), so that one is allowed.
    static func sameText(_ json: Any?, _ text: String) -> Bool {
        guard let decoded = json as? String else { return false }
        let expected = Array(text.utf8)
        if Array(decoded.utf8) == expected { return true }
        return expected.starts(with: byteOrderMark) && Array(decoded.utf8) == Array(expected.dropFirst(3))
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
}
