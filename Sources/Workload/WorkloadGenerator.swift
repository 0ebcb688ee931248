import ContactSyncCore

/// Synthetic store traffic: a lazy, deterministic sequence of `spec.events` records.
/// Memory is O(customers), not O(events).
public struct WorkloadGenerator: Sequence, Sendable {
    public let spec: WorkloadSpec
    private let sampler: ZipfSampler

    public init(spec: WorkloadSpec) {
        spec.validate()
        self.spec = spec
        sampler = ZipfSampler(count: spec.customers, exponent: spec.zipfExponent)
    }

    public var underestimatedCount: Int { spec.events }

    public func makeIterator() -> Iterator {
        Iterator(spec: spec, sampler: sampler)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        private let spec: WorkloadSpec
        private let sampler: ZipfSampler
        private let startMillis: Int64
        private var random: SplitMix64
        private var clocks: [CustomerClock]
        private var index = 0

        /// UTC offsets some producers write occurred_at in (same instant, other notation).
        private static let localOffsetsMinutes = [120, -300, 330, 540]

        init(spec: WorkloadSpec, sampler: ZipfSampler) {
            self.spec = spec
            self.sampler = sampler
            startMillis = spec.startTime.millisecondsSinceEpoch
            random = SplitMix64(seed: spec.seed)
            clocks = Array(repeating: CustomerClock(), count: spec.customers)
        }

        public mutating func next() -> GeneratedRecord? {
            guard index < spec.events else { return nil }
            defer { index += 1 }
            let customer = sampler.sample(&random)
            let kind: StoreEvent.Kind = random.chance(spec.loginShare) ? .login : .profileChanged
            let externalID = spec.idPrefix + String(customer)
            let eventID = spec.idPrefix + "evt-" + String(index)

            if random.chance(spec.badRecordShare) {
                // Bad records leave the customer's clock alone: the oracle never sees them.
                let occurredAt = millisToTimestamp(startMillis + Int64(index) * CustomerClock.millisecondsBetweenEvents)
                let event = StoreEvent(kind: kind, eventID: eventID, occurredAt: occurredAt, externalID: externalID)
                return BadRecordFactory.make(random.pick(BadRecordKind.allCases), from: event, &random)
            }

            let millis =
                clocks[customer].hasEvents && random.chance(spec.outOfOrderShare)
                ? clocks[customer].late(startMillis: startMillis, lateSeconds: spec.lateSecondsRange, &random)
                : clocks[customer].inOrder(index: index, startMillis: startMillis)
            var event = StoreEvent(
                kind: kind, eventID: eventID, occurredAt: millisToTimestamp(millis), externalID: externalID)
            var extraFields: [(String, String)] = []
            if kind == .profileChanged {
                fillProfile(&event, customer: customer)
                if random.chance(0.03) { extraFields.append(("channel", "support")) }
            } else if random.chance(0.05) {
                extraFields.append(("source", random.pick(ProfileVocabulary.loginSources)))
            }
            let offset = random.chance(0.1) ? random.pick(Self.localOffsetsMinutes) : 0
            return GeneratedRecord(event: event, occurredAtOffsetMinutes: offset, extraFields: extraFields)
        }

        private mutating func fillProfile(_ event: inout StoreEvent, customer: Int) {
            if random.chance(0.4) {
                event.email = random.chance(0.1) ? .clear : .set(ProfileVocabulary.email(for: customer, &random))
            }
            if random.chance(0.4) {
                event.name = random.chance(0.1) ? .clear : .set(ProfileVocabulary.name(&random))
            }
            if random.chance(0.3) {
                event.phone = random.chance(0.1) ? .clear : .set(ProfileVocabulary.phone(&random))
            }
            // A partial Fisher-Yates shuffle picks distinct attributes.
            var order = Array(ProfileVocabulary.attributes.indices)
            let upper = Swift.min(spec.attributesPerProfile.upperBound, order.count)
            let lower = Swift.min(spec.attributesPerProfile.lowerBound, upper)
            let count = random.next(in: lower...upper)
            for slot in 0..<count {
                order.swapAt(slot, slot + random.next(below: order.count - slot))
                let (name, kind) = ProfileVocabulary.attributes[order[slot]]
                let value: AttributeValue =
                    random.chance(0.1) ? .null : ProfileVocabulary.value(of: kind, before: spec.startTime, &random)
                event.customAttributes.append((name: name, value: value))
            }
        }

        private func millisToTimestamp(_ millis: Int64) -> Timestamp {
            Timestamp(nanosecondsSinceEpoch: millis * 1_000_000)
        }
    }
}
