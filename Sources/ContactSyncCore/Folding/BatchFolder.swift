/// Folds a batch of events into one `ContactUpdate` per contact. Per field the
/// value with the greatest `FieldStamp` wins, whatever the order of `add` calls.
public struct BatchFolder: Sendable {
    /// One per external_id, in order of first appearance.
    public private(set) var updates: [ContactUpdate] = []
    /// external_id -> position in `updates`, so each `add` costs one lookup.
    private var positions: [String: Int] = [:]

    public init() {}

    /// A folder that goes on from `carried`: updates of distinct contacts,
    /// folded from events read before any that `add` will get (a batch's
    /// contacts carried into the next one). Folding on from them gives what one
    /// folder over all those events would have, in the same order.
    public init(continuing carried: [ContactUpdate]) {
        updates = carried
        positions.reserveCapacity(carried.count)
        for (position, update) in carried.enumerated() {
            precondition(positions.updateValue(position, forKey: update.externalID) == nil, "carried updates are one per contact")
        }
    }

    public var isEmpty: Bool { updates.isEmpty }

    public mutating func add(_ event: StoreEvent, source: RecordSource, sequence: UInt64) {
        let position: Int
        if let known = positions[event.externalID] {
            position = known
        } else {
            position = updates.count
            positions[event.externalID] = position
            updates.append(ContactUpdate(externalID: event.externalID, earliestOccurredAt: event.occurredAt))
        }
        Self.fold(event, source: source, stamp: FieldStamp(occurredAt: event.occurredAt, sequence: sequence),
                  into: &updates[position])
    }

    /// Empties the folder for the next batch, keeping its storage.
    public mutating func removeAll() {
        updates.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }

    private static func fold(
        _ event: StoreEvent, source: RecordSource, stamp: FieldStamp, into update: inout ContactUpdate
    ) {
        update.eventIDs.append(event.eventID)
        update.sources.append(source)
        update.eventCount += 1
        if event.occurredAt < update.earliestOccurredAt { update.earliestOccurredAt = event.occurredAt }
        switch event.kind {
        case .login:
            // Format the time only when this login is the latest seen so far.
            if !update.holdsNewer(than: stamp, for: .lastLoginAt) {
                update.offer(.string(event.occurredAt.rfc3339Millis), for: .lastLoginAt, stamp: stamp)
            } else {
                update.noteOlderLogin(at: event.occurredAt)
            }
        case .profileChanged:
            break
        }
        // A login carries none of these; reading them anyway keeps one code path.
        update.offer(event.email, for: .email, stamp: stamp)
        update.offer(event.name, for: .name, stamp: stamp)
        update.offer(event.phone, for: .phone, stamp: stamp)
        for attribute in event.customAttributes {
            update.offer(attribute.value, for: .attribute(attribute.name), stamp: stamp)
        }
    }
}
