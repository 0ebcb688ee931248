// The fold -> reconcile -> admit -> encode half of the fuzz target: the decoded
// event meets two fixed companions for the same contact, and each stage's
// output is checked against a plain oracle or against its own contract.

extension DecodeFoldFuzz {
    struct Sequenced {
        var event: StoreEvent
        var source: RecordSource
        var sequence: UInt64
    }

    static let companionTime = Timestamp(nanosecondsSinceEpoch: 1_795_515_300_000_000_000)  // 2026-11-24T10:15:00Z

    /// A profile change before the fuzzed event in read order and a login after it.
    static func companions(of event: StoreEvent, inputSize: Int) -> [Sequenced] {
        let profile = StoreEvent(
            kind: .profileChanged, eventID: "fuzz-companion-profile", occurredAt: companionTime,
            externalID: event.externalID, email: .set("base@example.com"), name: .set("Base Name"),
            phone: .clear,
            customAttributes: [
                ("plan", .string("pro")), ("score", .number(3)), ("vip", .bool(true)),
                ("renewal_at", .string("2026-12-01T00:00:00+01:00")), ("legacy_tier", .string("gold")),
                ("nickname", .null),
            ])
        let login = StoreEvent(
            kind: .login, eventID: "fuzz-companion-login",
            occurredAt: Timestamp(nanosecondsSinceEpoch: companionTime.nanosecondsSinceEpoch + 123_000_000),
            externalID: event.externalID)
        let offset = Int64(inputSize)
        return [
            Sequenced(event: profile, source: RecordSource(topic: topic, partition: 1, offset: offset), sequence: 1),
            Sequenced(event: event, source: RecordSource(topic: topic, partition: 0, offset: offset), sequence: 2),
            Sequenced(
                event: login, source: RecordSource(topic: "store.customer.login", partition: 2, offset: offset),
                sequence: 3),
        ]
    }

    static func foldAndEncode(_ event: StoreEvent, inputSize: Int) {
        let events = companions(of: event, inputSize: inputSize)
        let update = checkedFold(events)
        checkMemory(update, events: events)
        let (entry, ignored) = checkedAdmission(update)
        checkUpsertBody(entry)
        let result = ResultRecord(
            externalID: update.externalID, status: .synced, chatbotID: chatbotID, eventIDs: update.eventIDs,
            sources: update.sources, attempts: 1, httpStatus: 200, ignoredAttributes: ignored,
            decidedAt: event.occurredAt)
        let json = parsedObject(result.jsonBytes(), "synced ResultRecord")
        checkResult(json, externalID: update.externalID, eventIDs: update.eventIDs, ignored: ignored, error: nil)
        require(
            (json["sources"] as? [Any])?.count == update.sources.count, "ResultRecord sources lost entries")
        let decidedAt = (json["decided_at"] as? String).flatMap { Timestamp.parseRFC3339($0) }
        let floored = event.occurredAt.millisecondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000)
        if !floored.overflow {
            require(decidedAt?.nanosecondsSinceEpoch == floored.partialValue, "decided_at does not round-trip")
        }
    }

    // MARK: Folding

    /// Folds in read order and in reverse; both must match the oracle.
    private static func checkedFold(_ events: [Sequenced]) -> ContactUpdate {
        var inOrder = BatchFolder()
        for item in events { inOrder.add(item.event, source: item.source, sequence: item.sequence) }
        var reversed = BatchFolder()
        for item in events.reversed() { reversed.add(item.event, source: item.source, sequence: item.sequence) }

        require(inOrder.updates.count == 1, "one contact folded into \(inOrder.updates.count) updates")
        let update = inOrder.updates[0]
        require(update.externalID == events[0].event.externalID, "the update's external_id changed")
        require(update.eventIDs == events.map(\.event.eventID), "event_ids are not in read order")
        require(update.sources == events.map(\.source), "sources are not in read order")
        require(update.eventCount == events.count, "eventCount is \(update.eventCount)")
        require(
            update.earliestOccurredAt == events.map(\.event.occurredAt).min(), "earliestOccurredAt is not the minimum")
        require(
            reversed.updates.first.map { winners($0.fields) } == winners(update.fields),
            "the fold depends on the order of add calls")
        require(winners(update.fields) == expectedFields(events), "a field does not hold its latest value")
        for folded in [update, reversed.updates[0]] { checkDivergence(folded.fields, events: events) }
        return update
    }

    /// The oracle: per field, the value offered with the greatest (occurred_at, sequence).
    /// Each field's value and stamp (`divergedAt` may depend on the order of add calls).
    private static func winners(_ fields: FieldValues) -> [ContactField: StampedValue] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.key, StampedValue(value: $0.value.value, stamp: $0.value.stamp)) })
    }

    /// `divergedAt` is nil when every offer carried the winning value, and
    /// otherwise at or after the latest offer that did not: it may over-state,
    /// never under-state (the clocks then send rather than skip).
    private static func checkDivergence(_ fields: FieldValues, events: [Sequenced]) {
        for (field, held) in fields {
            var latestOther: Timestamp?
            for item in events {
                for (offered, value) in offers(of: item.event) where offered == field && value != held.value {
                    latestOther = max(latestOther ?? item.event.occurredAt, item.event.occurredAt)
                }
            }
            if let latestOther {
                require(held.divergedAt.map { $0 >= latestOther } == true, "divergedAt under-states another value")
            } else {
                require(held.divergedAt == nil, "divergedAt is set although every offer carried the value")
            }
        }
    }

    private static func expectedFields(_ events: [Sequenced]) -> [ContactField: StampedValue] {
        var expected: [ContactField: StampedValue] = [:]
        for item in events {
            let stamp = FieldStamp(occurredAt: item.event.occurredAt, sequence: item.sequence)
            for (field, value) in offers(of: item.event) {
                if let held = expected[field], !(held.stamp < stamp) { continue }
                expected[field] = StampedValue(value: value, stamp: stamp)
            }
        }
        return expected
    }

    private static func offers(of event: StoreEvent) -> [(ContactField, AttributeValue)] {
        var offers: [(ContactField, AttributeValue)] = []
        if event.kind == .login { offers.append((.lastLoginAt, .string(event.occurredAt.rfc3339Millis))) }
        for (field, change) in [(ContactField.email, event.email), (.name, event.name), (.phone, event.phone)] {
            switch change {
            case .absent: break
            case .clear: offers.append((field, .null))
            case .set(let text): offers.append((field, .string(text)))
            }
        }
        for attribute in event.customAttributes { offers.append((.attribute(attribute.name), attribute.value)) }
        return offers
    }

    // MARK: Clocks

    /// Unknown contacts pass whole; a stored update is then already stored; a
    /// newer update keeps only the field whose value differs; an older one keeps
    /// nothing and is refused as older.
    private static func checkMemory(_ update: ContactUpdate, events: [Sequenced]) {
        var cache = ClockCache(capacity: 2)
        require(
            ClockReconciler.decide(update, against: cache.lookup(update.externalID), resendStored: false)
                == .send(update, refusedAsOlder: 0, advanced: ContactClocks()),
            "an unknown contact lost fields")
        var clocks = ContactClocks()
        clocks.record(stored: update)
        cache.store(update.externalID, clocks)
        require(cache.count == 1, "the cache holds \(cache.count) contacts after one")
        guard case .unchanged(.alreadyStored, 0, _) = ClockReconciler.decide(update, against: cache.lookup(update.externalID), resendStored: false) else {
            fail("a just-stored update is not already stored")
        }

        guard let storedName = update.fields[.name] else {
            fail("the companion's name is missing from the update")
        }
        let latest = events.map(\.event.occurredAt).max() ?? companionTime
        let newerStamp = FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: latest.nanosecondsSinceEpoch &+ 1), sequence: 4)
        var newer = update
        // A later batch with the same values, newer and nothing else between (divergedAt nil).
        for field in update.fields.keys { newer.fields[field] = StampedValue(value: update.fields[field]!.value, stamp: newerStamp) }
        let renamed: AttributeValue = storedName.value == .null ? .string("Renamed") : .null
        newer.fields[.name] = StampedValue(value: renamed, stamp: newerStamp)
        guard case .send(let kept, _, _) = ClockReconciler.decide(newer, against: cache.lookup(update.externalID), resendStored: false) else {
            fail("a newer, different name was dropped")
        }
        require(Array(kept.fields.keys) == [.name], "reconcile kept fields equal to the stored ones")

        var stale = newer
        let oldest = FieldStamp(occurredAt: Timestamp(nanosecondsSinceEpoch: .min), sequence: 0)
        for field in stale.fields.keys { stale.fields[field] = StampedValue(value: .string("stale"), stamp: oldest) }
        guard case .unchanged(.olderThanStored, _, _) = ClockReconciler.decide(stale, against: cache.lookup(update.externalID), resendStored: false) else {
            fail("reconcile kept fields older than the stored ones")
        }
    }

    // MARK: Attributes

    /// Plans the missing definitions with an inferring policy, then admits.
    private static func checkedAdmission(_ update: ContactUpdate) -> (UpsertEntry, [String]) {
        let policy = AttributePolicy.inferring
        var catalog = AttributeCatalog(definitions: knownDefinitions)
        let planned = catalog.definitionsToCreate(for: [update], policy: policy)
        let plannedNames = Set(planned.map(\.name))
        require(plannedNames.count == planned.count, "a definition is planned twice")
        for field in update.fields.keys {
            guard let name = field.attributeName, catalog.definitions[name] == nil else { continue }
            let value = update.fields[field]?.value ?? .null
            let wanted = policy.declaredType(of: name) ?? AttributeType.inferred(from: value)
            let plan = planned.first { $0.name == name }
            if AttributeDefinition.isValidName(name) {
                require(plan?.type == wanted, "'\(name)' is planned as \(String(describing: plan?.type))")
            } else {
                require(plan == nil, "an invalid name is planned")
            }
        }
        require(planned.allSatisfy { update.fields[.attribute($0.name)] != nil }, "a planned name is not in the update")
        catalog.merge(planned)

        let (entry, ignored) = catalog.admit(update, policy: policy)
        require(entry.externalID == update.externalID, "the entry's external_id changed")
        require(entry.email == profileChange(update.fields[.email]), "the entry's email differs from the fold")
        require(entry.name == profileChange(update.fields[.name]), "the entry's name differs from the fold")
        require(entry.phoneNumber == profileChange(update.fields[.phone]), "the entry's phone differs from the fold")
        let admittedNames = entry.customAttributes.map(\.name)
        require(zip(admittedNames, admittedNames.dropFirst()).allSatisfy { $0 < $1 }, "admitted names not sorted")
        require(zip(ignored, ignored.dropFirst()).allSatisfy { $0 < $1 }, "ignored names not sorted")
        let attributeNames = Set(update.fields.keys.compactMap(\.attributeName))
        require(
            Set(admittedNames).union(ignored) == attributeNames && Set(admittedNames).isDisjoint(with: ignored),
            "admitted and ignored do not split the update's attributes")
        for (name, sent) in entry.customAttributes {
            let original = update.fields[.attribute(name)]?.value ?? .null
            guard let def = catalog.definitions[name], !def.archived, def.type.accepts(original) else {
                fail("'\(name)' admitted against its definition")
            }
            require(sent == dateNormalized(original, as: def.type), "'\(name)' is sent with another value")
        }
        for name in ignored {
            let original = update.fields[.attribute(name)]?.value ?? .null
            if let def = catalog.definitions[name] {
                require(def.archived || !def.type.accepts(original), "'\(name)' ignored although it fits")
            }
        }
        return (entry, ignored)
    }

    private static func profileChange(_ stamped: StampedValue?) -> FieldChange<String> {
        switch stamped?.value {
        case .string(let text): return .set(text)
        case .null: return .clear
        default: return .absent
        }
    }

    /// Dates are sent as UTC with milliseconds; everything else as folded.
    private static func dateNormalized(_ value: AttributeValue, as type: AttributeType) -> AttributeValue {
        guard type == .date, case .string(let text) = value, let instant = Timestamp.parseRFC3339(text) else {
            return value
        }
        return .string(instant.rfc3339Millis)
    }

    // MARK: Upsert body

    /// The body is UTF-8 JSON that says exactly what the entry says.
    private static func checkUpsertBody(_ entry: UpsertEntry) {
        let body = UpsertRequest.body(for: [entry])
        require(UpsertRequest.body(for: [entry, entry][0..<1]) == body, "slice and array bodies differ")
        let root = parsedObject(body, "upsert body")
        guard let users = root["users"] as? [Any], users.count == 1, let user = users[0] as? [String: Any] else {
            fail("the upsert body has no single users entry")
        }
        let allowed: Set<String> = ["external_id", "email", "name", "phonenumber", "custom_attributes"]
        require(Set(user.keys).isSubset(of: allowed), "the upsert entry has unexpected keys")
        require(sameText(user["external_id"], entry.externalID), "upsert external_id does not round-trip")
        require(matches(user["email"], entry.email), "upsert email does not round-trip")
        require(matches(user["name"], entry.name), "upsert name does not round-trip")
        require(matches(user["phonenumber"], entry.phoneNumber), "upsert phonenumber does not round-trip")
        guard !entry.customAttributes.isEmpty else {
            return require(user["custom_attributes"] == nil, "empty custom_attributes were sent")
        }
        let sent = user["custom_attributes"] as? [String: Any]
        require(sent?.count == entry.customAttributes.count, "custom_attributes lost or gained entries")
        for (name, value) in entry.customAttributes {
            require(matches(sent?[name], value), "custom attribute '\(name)' does not round-trip")
        }
    }
}
