import ContactSyncCore
import Foundation
import Testing
import Workload

/// The Workload library: deterministic synthetic store traffic and its oracle.
/// Values are checked by an independent reading (Foundation's JSONSerialization
/// and a contract check written here), not by the generator's own model.
@Suite struct WorkloadTests {
    // MARK: determinism and shape

    @Test func sameSeedYieldsTheSameRecords() {
        let spec = WorkloadSpec(events: 3_000, customers: 300, badRecordShare: 0.05, seed: 7)
        let first = Array(WorkloadGenerator(spec: spec)).map(Fingerprint.init)
        let second = Array(WorkloadGenerator(spec: spec)).map(Fingerprint.init)
        #expect(first.count == 3_000)
        #expect(first == second)

        var other = spec
        other.seed = 8
        let third = Array(WorkloadGenerator(spec: other)).map(Fingerprint.init)
        #expect(third != first)
    }

    @Test func countsAndSharesFollowTheSpec() {
        let spec = WorkloadSpec(events: 20_000, customers: 1_000, loginShare: 0.8, badRecordShare: 0.05, seed: 1)
        var total = 0
        var logins = 0
        var bad = 0
        for record in WorkloadGenerator(spec: spec) {
            total += 1
            if record.topic == .login { logins += 1 }
            if record.isBad { bad += 1 }
        }
        #expect(total == 20_000)
        #expect((0.77...0.83).contains(Double(logins) / Double(total)))
        #expect((0.04...0.06).contains(Double(bad) / Double(total)))

        let empty = WorkloadGenerator(spec: WorkloadSpec(events: 0))
        #expect(Array(empty).isEmpty)
    }

    @Test func defaultSpecHasTheDocumentedShape() {
        let spec = WorkloadSpec()
        #expect(spec.events == 10_000)
        #expect(spec.customers == 2_000)
        #expect(spec.loginShare == 0.8)
        #expect(spec.attributesPerProfile == 1...5)
        #expect(spec.idPrefix == "cust-")
        #expect(spec.startTime.rfc3339Millis == "2026-11-24T00:00:00.000Z")
    }

    // MARK: good records

    @Test func goodRecordsFollowTheContract() throws {
        let spec = WorkloadSpec(
            events: 6_000, customers: 500, loginShare: 0.5, badRecordShare: 0.02, outOfOrderShare: 0.1,
            seed: 3, idPrefix: "wl-test-")
        let vocabulary: [String: AttributeJSONKind] = [
            "plan": .string, "locale": .string, "signup_at": .date, "lifetime_value": .number,
            "orders": .number, "vip": .bool,
        ]
        var eventIDs = Set<String>()
        var seen = Coverage()
        for record in WorkloadGenerator(spec: spec) where !record.isBad {
            let object = try #require(ContractCheck.parse(record.value), "not a JSON object: \(text(record.value))")
            #expect(ContractCheck.violation(in: record.value) == nil, "\(text(record.value))")
            #expect(record.key == Array(try #require(record.externalID).utf8))
            #expect(object["external_id"] as? String == record.externalID)
            #expect(record.externalID?.hasPrefix("wl-test-") == true)
            #expect(object["event_id"] as? String == record.eventID)
            #expect(eventIDs.insert(try #require(record.eventID)).inserted, "duplicate event_id")
            let type = object["type"] as? String
            #expect(type == (record.topic == .login ? "login" : "profile_changed"))

            let occurredAt = try #require(object["occurred_at"] as? String)
            if !occurredAt.hasSuffix("Z") { seen.localOffset = true }
            if object["source"] != nil || object["channel"] != nil { seen.unknownField = true }
            guard record.topic == .profileChanged else {
                #expect(object["custom_attributes"] == nil && object["email"] == nil)
                continue
            }
            let attributes = try #require(object["custom_attributes"] as? [String: Any])
            #expect((1...5).contains(attributes.count))
            for (name, value) in attributes {
                let kind = try #require(vocabulary[name], "attribute \(name) outside the vocabulary")
                if value is NSNull { seen.nullAttribute = true; continue }
                #expect(kind.matches(value), "\(name) = \(value) is not \(kind)")
            }
            if object["email"] is NSNull || object["name"] is NSNull || object["phone"] is NSNull {
                seen.clearedField = true
            }
            if let name = object["name"] as? String, name.unicodeScalars.contains(where: { !$0.isASCII }) {
                seen.nonASCIIName = true
            }
        }
        #expect(seen == Coverage(all: true), "the workload lacks some variety: \(seen)")
    }

    @Test func recordBuiltFromAnEventEscapesItsStrings() throws {
        let tricky = "Zoë \"Bob\" O'Brien \\ line\nbreak\ttab \u{1}"
        let event = StoreEvent(
            kind: .profileChanged, eventID: "e-1", occurredAt: at(5), externalID: "a.b_c-1",
            email: .clear, name: .set(tricky), phone: .absent,
            customAttributes: [("plan", .string(tricky)), ("ltv", .number(12.34)), ("vip", .bool(false)),
                               ("orders", .number(3)), ("gone", .null)])
        let record = GeneratedRecord(event: event)
        #expect(record.topic == .profileChanged && !record.isBad && record.event == event)
        let object = try #require(ContractCheck.parse(record.value))
        #expect(object["name"] as? String == tricky)
        #expect(object["email"] is NSNull)
        #expect(object["phone"] == nil)
        #expect(object["occurred_at"] as? String == "1970-01-01T00:00:05.000Z")
        let attributes = try #require(object["custom_attributes"] as? [String: Any])
        #expect(attributes["plan"] as? String == tricky)
        #expect((attributes["ltv"] as? NSNumber)?.doubleValue == 12.34)
        #expect((attributes["orders"] as? NSNumber)?.intValue == 3)
        #expect(attributes["gone"] is NSNull)
        #expect(ContractCheck.violation(in: record.value) == nil)
    }

    // MARK: bad records

    @Test func badRecordsBreakTheContractEachInTheirWay() throws {
        let spec = WorkloadSpec(events: 20_000, customers: 500, badRecordShare: 0.05, seed: 11)
        var unreadable = 0
        var invalidExternalIDs = 0
        var readableWithEventID = 0
        for record in WorkloadGenerator(spec: spec) where record.isBad {
            #expect(record.event == nil)
            let violation = ContractCheck.violation(in: record.value)
            #expect(violation != nil, "a bad record passes the contract: \(text(record.value))")
            if let eventID = record.eventID {
                readableWithEventID += 1
                #expect(ContractCheck.parse(record.value)?["event_id"] as? String == eventID)
            } else {
                unreadable += 1
            }
            if let externalID = record.externalID {
                #expect(ContractCheck.isExternalID(externalID))
                #expect(record.key == Array(externalID.utf8))
            } else {
                invalidExternalIDs += 1
                #expect(violation == "external_id")
                #expect(!ContractCheck.isExternalID(String(decoding: record.key, as: UTF8.self)))
            }
        }
        #expect(unreadable > 50)
        #expect(invalidExternalIDs > 50)
        #expect(readableWithEventID > 200)
    }

    // MARK: agreement with the service's decoder

    @Test func coreDecoderReadsEveryGoodRecordAsItsEventAndRejectsEveryBadOne() {
        let spec = WorkloadSpec(
            events: 10_000, customers: 300, loginShare: 0.5, badRecordShare: 0.05, outOfOrderShare: 0.2, seed: 21)
        var good = 0
        var bad = 0
        for record in WorkloadGenerator(spec: spec) {
            switch EventDecoder.decode(record.value) {
            case .success(let decoded):
                #expect(!record.isBad, "a bad record decoded: \(text(record.value))")
                #expect(decoded == record.event, "\(text(record.value))")
                good += 1
            case .failure(let failure):
                #expect(record.isBad, "a good record was rejected (\(failure.reason.code)): \(text(record.value))")
                // What the generator calls readable, the service must be able to name in its result.
                if let eventID = record.eventID { #expect(failure.eventID == eventID, "\(text(record.value))") }
                if record.externalID == nil { #expect(failure.externalID == nil) }
                bad += 1
            }
        }
        #expect(good > 9_000 && bad > 300)
    }

    // MARK: the oracle

    @Test func oracleLetsTheLatestOccurredAtWinFieldByField() {
        var state = ExpectedState()
        // Generated (read) order differs from occurred order on purpose.
        state.apply(profile("e1", at: 20, email: .set("new@example.com"), attributes: [("plan", .string("pro"))]))
        state.apply(profile("e2", at: 10, email: .set("old@example.com"), name: .set("Ada"),
                            attributes: [("plan", .string("free")), ("vip", .bool(true))]))
        state.apply(profile("e3", at: 30, phone: .set("+1 555"), attributes: [("vip", .null)]))
        state.apply(profile("e4", at: 25, name: .clear, phone: .clear))
        state.apply(login("e5", at: 50))
        state.apply(login("e6", at: 40))
        state.apply(login("other", at: 1, externalID: "someone-else"))

        let contact = state.contacts["c1"]
        #expect(contact == ExpectedContact(
            externalID: "c1", email: "new@example.com", name: nil, phone: "+1 555",
            customAttributes: ["plan": .string("pro"), "last_login_at": .string(at(50).rfc3339Millis)]))
        #expect(state.contacts.count == 2)
        #expect(state.contacts["someone-else"]?.customAttributes == ["last_login_at": .string(at(1).rfc3339Millis)])
    }

    @Test func oracleIgnoresBadRecords() {
        var state = ExpectedState()
        for record in WorkloadGenerator(spec: WorkloadSpec(events: 2_000, customers: 50, badRecordShare: 1, seed: 5)) {
            state.apply(record)
        }
        #expect(state.contacts.isEmpty)
    }

    @Test func oracleMatchesAnIndependentFoldOfTheJSON() throws {
        let spec = WorkloadSpec(
            events: 8_000, customers: 200, loginShare: 0.6, badRecordShare: 0.02, zipfExponent: 1.0,
            outOfOrderShare: 0.3, seed: 99)
        var oracle = ExpectedState()
        var independent = IndependentFold()
        var previousMillis: [String: Int64] = [:]
        var allMillis: [String: Set<Int64>] = [:]
        var eventsWithAPrevious = 0
        var lateEvents = 0
        for record in WorkloadGenerator(spec: spec) {
            oracle.apply(record)
            guard !record.isBad else { continue }
            let object = try #require(ContractCheck.parse(record.value))
            let millis = try #require(ContractCheck.epochMillis(object["occurred_at"] as? String ?? ""))
            let customer = try #require(record.externalID)
            if let previous = previousMillis[customer] {
                eventsWithAPrevious += 1
                if millis < previous { lateEvents += 1 }
            }
            previousMillis[customer] = millis
            #expect(allMillis[customer, default: []].insert(millis).inserted, "occurred_at tie for \(customer)")
            independent.apply(object, millis: millis)
        }
        let lateShare = Double(lateEvents) / Double(eventsWithAPrevious)
        #expect((0.25...0.35).contains(lateShare), "late share \(lateShare)")
        let expected = oracle.contacts
        let folded = independent.contacts
        #expect(Set(expected.keys) == Set(folded.keys))
        let differing = expected.keys.sorted().filter { expected[$0] != folded[$0] }
        #expect(differing.isEmpty, "oracle differs for \(differing.count) contacts, e.g. \(differing.first.map { "\(expected[$0]!) vs \(String(describing: folded[$0]))" } ?? "")")
        #expect(expected.count > 150)
    }

    // MARK: skew

    @Test func zipfExponentOneMakesAFewCustomersVeryActive() {
        #expect(topOnePercentShare(exponent: 1.0) > 0.2)
        #expect(topOnePercentShare(exponent: 0) < 0.03)
    }

    private func topOnePercentShare(exponent: Double) -> Double {
        let spec = WorkloadSpec(events: 20_000, customers: 1_000, badRecordShare: 0, zipfExponent: exponent, seed: 2)
        var counts: [String: Int] = [:]
        for record in WorkloadGenerator(spec: spec) { counts[record.externalID!, default: 0] += 1 }
        let top = counts.values.sorted(by: >).prefix(10).reduce(0, +)
        return Double(top) / 20_000
    }
}

// MARK: - helpers

private func at(_ seconds: Int64) -> Timestamp {
    Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000)
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

private func profile(
    _ eventID: String, at seconds: Int64, email: FieldChange<String> = .absent, name: FieldChange<String> = .absent,
    phone: FieldChange<String> = .absent, attributes: [(name: String, value: AttributeValue)] = []
) -> GeneratedRecord {
    GeneratedRecord(event: StoreEvent(
        kind: .profileChanged, eventID: eventID, occurredAt: at(seconds), externalID: "c1", email: email,
        name: name, phone: phone, customAttributes: attributes))
}

private func login(_ eventID: String, at seconds: Int64, externalID: String = "c1") -> GeneratedRecord {
    GeneratedRecord(event: StoreEvent(kind: .login, eventID: eventID, occurredAt: at(seconds), externalID: externalID))
}

/// What two runs must agree on, byte for byte.
private struct Fingerprint: Equatable {
    var topic: GeneratedRecord.Topic
    var key: [UInt8]
    var value: [UInt8]
    var eventID: String?
    var externalID: String?
    var isBad: Bool

    init(_ record: GeneratedRecord) {
        topic = record.topic
        key = record.key
        value = record.value
        eventID = record.eventID
        externalID = record.externalID
        isBad = record.isBad
    }
}

private struct Coverage: Equatable, CustomStringConvertible {
    var localOffset = false, unknownField = false, nullAttribute = false, clearedField = false, nonASCIIName = false

    init(all: Bool = false) {
        localOffset = all; unknownField = all; nullAttribute = all; clearedField = all; nonASCIIName = all
    }

    var description: String {
        "offset \(localOffset) unknown \(unknownField) nullAttr \(nullAttribute) cleared \(clearedField) utf8 \(nonASCIIName)"
    }
}

private enum AttributeJSONKind {
    case string, date, number, bool

    func matches(_ value: Any) -> Bool {
        switch self {
        case .string: return value is String
        case .date: return (value as? String).flatMap(ContractCheck.epochMillis) != nil
        case .number, .bool: return value is NSNumber && !(value is String)
        }
    }
}

/// Contracts section 1, checked here without the generator's help.
private enum ContractCheck {
    static func parse(_ bytes: [UInt8]) -> [String: Any]? {
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any]
    }

    static func isExternalID(_ text: String) -> Bool {
        text.wholeMatch(of: /[a-zA-Z0-9._-]{1,128}/) != nil
    }

    /// The first broken rule's field, or nil when the value is a valid event.
    static func violation(in bytes: [UInt8]) -> String? {
        guard let object = parse(bytes) else { return "json" }
        guard let type = object["type"] as? String, ["login", "profile_changed"].contains(type) else { return "type" }
        guard let eventID = object["event_id"] as? String, (1...128).contains(eventID.count) else { return "event_id" }
        guard let occurredAt = object["occurred_at"] as? String, epochMillis(occurredAt) != nil else {
            return "occurred_at"
        }
        guard let externalID = object["external_id"] as? String, isExternalID(externalID) else { return "external_id" }
        guard type == "profile_changed" else { return nil }
        for field in ["email", "name", "phone"] {
            if let value = object[field], !(value is NSNull), !(value is String) { return field }
        }
        guard let attributes = object["custom_attributes"] else { return nil }
        guard let dictionary = attributes as? [String: Any], dictionary.count <= 100 else { return "custom_attributes" }
        for (name, value) in dictionary {
            guard name.wholeMatch(of: /[A-Za-z][A-Za-z0-9_-]{0,63}/) != nil else { return "custom_attributes" }
            guard value is NSNull || value is String || value is NSNumber else { return "custom_attributes" }
        }
        return nil
    }

    /// RFC 3339 with milliseconds and an offset, to epoch milliseconds (nil when malformed).
    static func epochMillis(_ text: String) -> Int64? {
        let pattern = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|([+-])(\d{2}):(\d{2}))/
        guard let m = text.wholeMatch(of: pattern) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: Int(m.1), month: Int(m.2), day: Int(m.3), hour: Int(m.4), minute: Int(m.5), second: Int(m.6))
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        var millis = Int64(date.timeIntervalSince1970.rounded()) * 1000 + Int64(m.7)!
        if let sign = m.9, let hours = m.10, let minutes = m.11 {
            let offset = (Int64(hours)! * 60 + Int64(minutes)!) * 60_000
            millis -= sign == "+" ? offset : -offset
        }
        return millis
    }
}

/// The fold rule applied to the parsed JSON (occurred_at is unique per
/// contact, so plain "later occurred_at wins" suffices).
private struct IndependentFold {
    private struct Slot { var value: ExpectedValue?; var millis: Int64 }
    private var fields: [String: [String: Slot]] = [:]

    mutating func apply(_ object: [String: Any], millis: Int64) {
        let externalID = object["external_id"] as! String
        if fields[externalID] == nil { fields[externalID] = [:] }  // the contact exists even if nothing is set
        if object["type"] as? String == "login" {
            set(externalID, "attr:last_login_at", .string(Timestamp(nanosecondsSinceEpoch: millis * 1_000_000).rfc3339Millis), millis)
            return
        }
        for field in ["email", "name", "phone"] {
            guard let value = object[field] else { continue }
            set(externalID, field, (value as? String).map(ExpectedValue.string), millis)
        }
        for (name, value) in object["custom_attributes"] as? [String: Any] ?? [:] {
            let expected: ExpectedValue? =
                switch value {
                case is NSNull: nil
                case let text as String: .string(text)
                case let number as NSNumber where name == "vip": .bool(number.boolValue)
                case let number as NSNumber: .number(number.doubleValue)
                default: nil
                }
            set(externalID, "attr:" + name, expected, millis)
        }
    }

    private mutating func set(_ externalID: String, _ field: String, _ value: ExpectedValue?, _ millis: Int64) {
        if let current = fields[externalID]?[field], current.millis > millis { return }
        fields[externalID, default: [:]][field] = Slot(value: value, millis: millis)
    }

    var contacts: [String: ExpectedContact] {
        fields.reduce(into: [:]) { result, entry in
            let (externalID, slots) = entry
            func text(_ field: String) -> String? {
                if case .string(let value)? = slots[field]?.value { return value }
                return nil
            }
            var contact = ExpectedContact(externalID: externalID, email: text("email"), name: text("name"), phone: text("phone"))
            for (field, slot) in slots where field.hasPrefix("attr:") {
                if let value = slot.value { contact.customAttributes[String(field.dropFirst(5))] = value }
            }
            result[externalID] = contact
        }
    }
}
