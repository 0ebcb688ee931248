import Synchronization

/// Everything the simulator remembers, behind one lock. Every method holds the lock only
/// for bookkeeping; parsing, validation and JSON writing happen outside it.
public final class BookbagSimState: Sendable {
    private struct Storage {
        var store: ContactStore
        var stats = SimStats()
        var byRouteStatus: [RouteStatus: Int] = [:]
        var faults: FaultState
        var log: UpsertLog
        var upsertSequence = 0
    }

    private let seededAttributes: [SimAttributeDefinition]
    private let startupFaults: SimFaults
    private let logCapacity: Int
    private let storage: Mutex<Storage>

    init(configuration: BookbagSimConfiguration) {
        seededAttributes = configuration.seededAttributes
        startupFaults = configuration.faults
        logCapacity = configuration.upsertLogCapacity
        storage = Mutex(
            Storage(
                store: ContactStore(seededAttributes: configuration.seededAttributes),
                faults: FaultState(faults: configuration.faults, now: .now),
                log: UpsertLog(capacity: configuration.upsertLogCapacity)))
    }

    // MARK: Inspection (tests, /_sim/)

    public func contact(_ externalID: String) -> SimContact? {
        storage.withLock { $0.store.contacts[externalID] }
    }

    /// Sorted by external id.
    public func allContacts() -> [SimContact] {
        let contacts = storage.withLock { Array($0.store.contacts.values) }
        return contacts.sorted { $0.externalID < $1.externalID }
    }

    /// Sorted by name.
    public func attributes() -> [SimAttributeDefinition] {
        attributeDefinitions().values.sorted { $0.name < $1.name }
    }

    public func stats() -> SimStats {
        storage.withLock { storage in
            var stats = storage.stats
            stats.contacts = storage.store.contacts.count
            stats.byRouteStatus = Dictionary(
                storage.byRouteStatus.map { ($0.key.label, $0.value) }, uniquingKeysWith: +)
            return stats
        }
    }

    public func upsertLog(for externalID: String) -> [SimUpsertRecord] {
        storage.withLock { $0.log.records(for: externalID) }
    }

    public func faults() -> SimFaults {
        storage.withLock { $0.faults.faults }
    }

    // MARK: Control

    /// Replaces the whole fault set; windows start now.
    public func setFaults(_ faults: SimFaults) {
        storage.withLock { $0.faults.set(faults, now: .now) }
    }

    /// Clears contacts, the upsert log and the stats; attributes and faults go back to the configuration's.
    public func reset() {
        let fresh = Storage(
            store: ContactStore(seededAttributes: seededAttributes),
            faults: FaultState(faults: startupFaults, now: .now),
            log: UpsertLog(capacity: logCapacity))
        storage.withLock { storage in
            // Requests still being answered keep counting down correctly.
            let inFlight = storage.stats.inFlight
            storage = fresh
            storage.stats.inFlight = inFlight
        }
    }

    // MARK: Request bookkeeping

    func beginAPIRequest(key: String?) -> FaultState.Decision {
        let wallNow = WallClock.unixSeconds()
        let now = ContinuousClock.now
        return storage.withLock { storage in
            storage.stats.requests += 1
            storage.stats.inFlight += 1
            storage.stats.maxInFlight = max(storage.stats.maxInFlight, storage.stats.inFlight)
            if storage.stats.firstRequestAt == nil { storage.stats.firstRequestAt = wallNow }
            storage.stats.lastRequestAt = wallNow
            let (decision, isEarly) = storage.faults.admit(key: key, now: now)
            if isEarly { storage.stats.earlyRequests += 1 }
            switch decision {
            case .proceed: break
            case .fail: storage.stats.faulted += 1
            case .drop:
                storage.stats.faulted += 1
                storage.stats.dropped += 1
            }
            return decision
        }
    }

    /// `status` nil: the connection was dropped.
    func endAPIRequest(route: SimRoute, status: Int?) {
        storage.withLock { storage in
            storage.stats.inFlight -= 1
            storage.byRouteStatus[RouteStatus(route: route, status: status), default: 0] += 1
        }
    }

    /// Retry-After seconds when the key is over its rate.
    func rateLimit(key: String) -> Int? {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            let retryAfter = storage.faults.rateLimit(key: key, now: now)
            if retryAfter != nil { storage.stats.rateLimited += 1 }
            return retryAfter
        }
    }

    func latencyMilliseconds() -> Int {
        storage.withLock { $0.faults.faults.latencyMilliseconds }
    }

    func attributeDefinitions() -> [String: SimAttributeDefinition] {
        storage.withLock { $0.store.attributes }
    }

    // MARK: Mutations through the API

    struct UpsertResult {
        var status: Int
        var created = 0
        var updated = 0
        var entryErrors: [(externalID: String, message: String)] = []
    }

    /// Records an upsert request that reached the handler and, when valid, applies it.
    /// - Parameters:
    ///   - received: the users array (empty when the body had none).
    ///   - validated: the entries, or why the whole request is refused.
    func upsert(
        received: [SimJSONValue], validated: Result<[ContactEntry], UpsertRejection>
    ) -> UpsertResult {
        let wallNow = WallClock.unixSeconds()
        return storage.withLock { storage in
            storage.upsertSequence += 1
            let sequence = storage.upsertSequence
            storage.stats.upsertRequests += 1
            storage.stats.usersReceived += received.count
            storage.stats.maxUsersPerRequest = max(storage.stats.maxUsersPerRequest, received.count)
            switch validated {
            case .failure(let rejection):
                for entry in received {
                    guard let id = entry.objectValue?["external_id"]?.stringValue else { continue }
                    storage.log.append(
                        SimUpsertRecord(
                            request: sequence, externalID: id, status: rejection.status, stored: false,
                            entry: entry, receivedAt: wallNow))
                }
                return UpsertResult(status: rejection.status)
            case .success(let entries):
                let refusedIDs = storage.faults.faults.entryErrorIDs
                let outcome = storage.store.upsert(entries, entryErrorIDs: refusedIDs, now: Int(wallNow))
                for entry in entries {
                    storage.log.append(
                        SimUpsertRecord(
                            request: sequence, externalID: entry.externalID, status: 200,
                            stored: !refusedIDs.contains(entry.externalID), entry: entry.received,
                            receivedAt: wallNow))
                }
                storage.stats.contactsCreated += outcome.created
                storage.stats.contactsUpdated += outcome.updated
                storage.stats.entryErrors += outcome.entryErrors.count
                return UpsertResult(
                    status: 200, created: outcome.created, updated: outcome.updated,
                    entryErrors: outcome.entryErrors)
            }
        }
    }

    func createAttribute(_ definition: SimAttributeDefinition) throws(ContactStore.AttributeChangeError) {
        try storage.withLock { (storage) throws(ContactStore.AttributeChangeError) in
            try storage.store.create(definition)
            storage.stats.attributeCreates += 1
        }
    }

    func updateAttribute(
        name: String, label: String?, description: FieldChange<String>, archived: Bool?
    ) throws(ContactStore.AttributeChangeError) -> SimAttributeDefinition {
        try storage.withLock { (storage) throws(ContactStore.AttributeChangeError) in
            try storage.store.update(name: name, label: label, description: description, archived: archived)
        }
    }
}
