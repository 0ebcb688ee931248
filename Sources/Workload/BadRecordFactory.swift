import ContactSyncCore

/// Records that break contracts section 1, each in one way.
enum BadRecordKind: CaseIterable, Sendable {
    case truncatedJSON, notAnObject, invalidUTF8
    case externalIDWithSpace, externalIDWithSlash, externalIDTooLong
    case occurredAtAsNumber, occurredAtWithoutOffset, unknownType, missingEventID
    case attributeValueObject
}

enum BadRecordFactory {
    /// `event` is the good event this record would otherwise have been.
    static func make(_ kind: BadRecordKind, from event: StoreEvent, _ random: inout SplitMix64)
        -> GeneratedRecord
    {
        let topic: GeneratedRecord.Topic = event.kind == .login ? .login : .profileChanged
        let key = Array(event.externalID.utf8)
        let occurredAt = event.occurredAt.rfc3339Millis
        let good = EventEncoding.json(for: event, occurredAt: occurredAt)

        func unreadable(_ value: [UInt8]) -> GeneratedRecord {
            GeneratedRecord(badOn: topic, key: key, value: value, eventID: nil, externalID: event.externalID)
        }
        func badExternalID(_ externalID: String) -> GeneratedRecord {
            var odd = event
            odd.externalID = externalID
            return GeneratedRecord(
                badOn: topic, key: Array(externalID.utf8),
                value: EventEncoding.json(for: odd, occurredAt: occurredAt), eventID: event.eventID,
                externalID: nil)
        }
        func readable(
            on topic: GeneratedRecord.Topic, _ write: (inout JSONWriter) -> Void, eventID: String?
        ) -> GeneratedRecord {
            var json = JSONWriter()
            json.object(write)
            return GeneratedRecord(
                badOn: topic, key: key, value: json.bytes, eventID: eventID, externalID: event.externalID)
        }

        switch kind {
        case .truncatedJSON:
            // No proper prefix of a JSON object is a JSON object.
            return unreadable(Array(good.prefix(1 + random.next(below: good.count - 1))))
        case .notAnObject:
            return unreadable(Array(random.pick(["", "null", "[]", "\"login\"", "not json", "{\"type\":"]).utf8))
        case .invalidUTF8:
            // A lone continuation byte and a truncated two-byte sequence inside a string.
            return unreadable(good.dropLast() + Array(",\"note\":\"".utf8) + [0x80, 0xC3, 0x28] + Array("\"}".utf8))
        case .externalIDWithSpace:
            return badExternalID(event.externalID.prefix(4) + " " + event.externalID.dropFirst(4))
        case .externalIDWithSlash:
            return badExternalID(event.externalID.prefix(4) + "/" + event.externalID.dropFirst(4))
        case .externalIDTooLong:
            return badExternalID(event.externalID + String(repeating: "x", count: 129 - event.externalID.utf8.count))
        case .occurredAtAsNumber:
            return readable(on: topic, { json in
                json.member("type", event.kind.rawValue)
                json.member("event_id", event.eventID)
                json.member("occurred_at", event.occurredAt.millisecondsSinceEpoch)
                json.member("external_id", event.externalID)
            }, eventID: event.eventID)
        case .occurredAtWithoutOffset:
            let local = occurredAt.dropLast(5).replacingFirstT(with: " ")  // "2026-11-24 10:15:00"
            return readable(on: topic, { json in
                json.member("type", event.kind.rawValue)
                json.member("event_id", event.eventID)
                json.member("occurred_at", local)
                json.member("external_id", event.externalID)
            }, eventID: event.eventID)
        case .unknownType:
            return readable(on: topic, { json in
                json.member("type", "logout")
                json.member("event_id", event.eventID)
                json.member("occurred_at", occurredAt)
                json.member("external_id", event.externalID)
            }, eventID: event.eventID)
        case .missingEventID:
            return readable(on: topic, { json in
                json.member("type", event.kind.rawValue)
                json.member("occurred_at", occurredAt)
                json.member("external_id", event.externalID)
            }, eventID: nil)
        case .attributeValueObject:
            return readable(on: .profileChanged, { json in
                json.member("type", StoreEvent.Kind.profileChanged.rawValue)
                json.member("event_id", event.eventID)
                json.member("occurred_at", occurredAt)
                json.member("external_id", event.externalID)
                json.key("custom_attributes")
                json.object {
                    $0.key("plan")
                    $0.rawJSON("{\"tier\":\"pro\"}")
                }
            }, eventID: event.eventID)
        }
    }
}

extension Substring {
    fileprivate func replacingFirstT(with replacement: Character) -> String {
        guard let index = firstIndex(of: "T") else { return String(self) }
        var copy = String(self)
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
