import NIOConcurrencyHelpers

/// Everything the simulator remembers, behind two locks: one for per-request bookkeeping
/// (stats, faults) and one for the data (contacts, attributes, upsert log), so the two kinds
/// of work do not queue behind each other. Parsing, validation and JSON writing happen
/// outside the locks. pthread-based locks: Synchronization.Mutex uses priority-inheriting
/// futexes on Linux, which measured several times slower under this contention.
public final class BookbagSimState: Sendable {
    private struct Traffic {
        var stats = SimStats()
        var byRouteStatus: [RouteStatus: Int] = [:]
        var faults: FaultState
    }

    private struct Data {
        var store: ContactStore
        var log: UpsertLog
        var upsertSequence = 0
        var upsertRequests = 0
        var usersReceived = 0
        var maxUsersPerRequest = 0
        var contactsCreated = 0
        var contactsUpdated = 0
        var entryErrors = 0
        var attributeCreates = 0
    }

    private let seededAttributes: [SimAttributeDefinition]
    private let startupFaults: SimFaults
    private let logCapacity: Int
    private let traffic: NIOLockedValueBox<Traffic>
    private let data: NIOLockedValueBox<Data>

    init(configuration: BookbagSimConfiguration) {
        seededAttributes = configuration.seededAttributes
        startupFaults = configuration.faults
        logCapacity = configuration.upsertLogCapacity
        traffic = NIOLockedValueBox(Traffic(faults: FaultState(faults: configuration.faults, now: .now)))
        data = NIOLockedValueBox(
            Data(
                store: ContactStore(seededAttributes: configuration.seededAttributes),
                log: UpsertLog(capacity: configuration.upsertLogCapacity)))
    }

    // MARK: Inspection (tests, /_sim/)

    public func contact(_ externalID: String) -> SimContact? {
        data.withLockedValue { $0.store.contacts[externalID] }
    }

    /// Sorted by external id.
    public func allContacts() -> [SimContact] {
        let contacts = data.withLockedValue { Array($0.store.contacts.values) }
        return contacts.sorted { $0.externalID < $1.externalID }
    }

    /// Sorted by name.
    public func attributes() -> [SimAttributeDefinition] {
        attributeDefinitions().values.sorted { $0.name < $1.name }
    }

    public func stats() -> SimStats {
        var (stats, byRouteStatus) = traffic.withLockedValue { ($0.stats, $0.byRouteStatus) }
        stats.byRouteStatus = Dictionary(byRouteStatus.map { ($0.key.label, $0.value) }, uniquingKeysWith: +)
        data.withLockedValue { data in
            stats.contacts = data.store.contacts.count
            stats.upsertRequests = data.upsertRequests
            stats.usersReceived = data.usersReceived
            stats.maxUsersPerRequest = data.maxUsersPerRequest
            stats.contactsCreated = data.contactsCreated
            stats.contactsUpdated = data.contactsUpdated
            stats.entryErrors = data.entryErrors
            stats.attributeCreates = data.attributeCreates
        }
        return stats
    }

    public func upsertLog(for externalID: String) -> [SimUpsertRecord] {
        data.withLockedValue { $0.log.records(for: externalID) }
    }

    public func faults() -> SimFaults {
        traffic.withLockedValue { $0.faults.faults }
    }

    // MARK: Control

    /// Replaces the whole fault set; windows start now.
    public func setFaults(_ faults: SimFaults) {
        traffic.withLockedValue { $0.faults.set(faults, now: .now) }
    }

    /// Clears contacts, the upsert log and the stats; attributes and faults go back to the configuration's.
    public func reset() {
        let freshData = Data(store: ContactStore(seededAttributes: seededAttributes), log: UpsertLog(capacity: logCapacity))
        let freshFaults = FaultState(faults: startupFaults, now: .now)
        let oldData = data.withLockedValue { data in
            let old = data
            data = freshData
            return old
        }
        _ = oldData  // released here, outside the lock
        traffic.withLockedValue { traffic in
            // Requests still being answered keep counting down correctly.
            let inFlight = traffic.stats.inFlight
            traffic = Traffic(faults: freshFaults)
            traffic.stats.inFlight = inFlight
        }
    }

    // MARK: Request bookkeeping

    /// What happens to an API request before its route is handled.
    struct Admission {
        enum Outcome: Equatable {
            case proceed
            case drop
            case fail(status: Int)
            case unauthorized
            case rateLimited(retryAfter: String)
        }

        var outcome: Outcome
        var latencyMilliseconds: Int
        /// Snapshot of `SimFaults.entryErrorIDs` for the upsert handler.
        var entryErrorIDs: Set<String> = []
        /// Snapshot of `SimFaults.failMessage` for a `.fail` answer.
        var failMessage: String?
        /// Snapshot of `SimFaults.responseDelayMilliseconds`: the wait between storing an upsert and answering it.
        var responseDelayMilliseconds: Int = 0
    }

    /// Counts the request and applies the faults, in this order: drop, fail window,
    /// every n-th, then (for a request with the valid key) the rate limit.
    func admit(key: String?, isAuthorized: Bool) -> Admission {
        let wallNow = WallClock.unixSeconds()
        let now = ContinuousClock.now
        return traffic.withLockedValue { traffic in
            traffic.stats.requests += 1
            traffic.stats.inFlight += 1
            traffic.stats.maxInFlight = max(traffic.stats.maxInFlight, traffic.stats.inFlight)
            if traffic.stats.firstRequestAt == nil { traffic.stats.firstRequestAt = wallNow }
            traffic.stats.lastRequestAt = wallNow
            let latency = traffic.faults.faults.latencyMilliseconds
            let (decision, isEarly) = traffic.faults.admit(key: key, now: now)
            if isEarly { traffic.stats.earlyRequests += 1 }
            switch decision {
            case .proceed: break
            case .fail(let status):
                traffic.stats.faulted += 1
                return Admission(
                    outcome: .fail(status: status), latencyMilliseconds: latency, failMessage: traffic.faults.faults.failMessage)
            case .drop:
                traffic.stats.faulted += 1
                traffic.stats.dropped += 1
                return Admission(outcome: .drop, latencyMilliseconds: latency)
            }
            guard isAuthorized, let key else { return Admission(outcome: .unauthorized, latencyMilliseconds: latency) }
            if let retryAfter = traffic.faults.rateLimit(key: key, now: now) {
                traffic.stats.rateLimited += 1
                return Admission(outcome: .rateLimited(retryAfter: retryAfter), latencyMilliseconds: latency)
            }
            return Admission(
                outcome: .proceed, latencyMilliseconds: latency, entryErrorIDs: traffic.faults.faults.entryErrorIDs,
                responseDelayMilliseconds: traffic.faults.faults.responseDelayMilliseconds)
        }
    }

    /// `status` nil: the connection was dropped.
    func finish(route: SimRoute, status: Int?) {
        traffic.withLockedValue { traffic in
            traffic.stats.inFlight -= 1
            traffic.byRouteStatus[RouteStatus(route: route, status: status), default: 0] += 1
        }
    }

    func attributeDefinitions() -> [String: SimAttributeDefinition] {
        data.withLockedValue { $0.store.attributes }
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
    ///   - received: the users array (empty when the body had none or it was not an array).
    ///   - validated: the entries, or why the whole request is refused.
    ///   - refusedIDs: entries answered with a per-entry error instead of being stored.
    func upsert(
        received: ReceivedEntries, validated: Result<[ContactEntry], UpsertRejection>, refusedIDs: Set<String>
    ) -> UpsertResult {
        let wallNow = WallClock.unixSeconds()
        // Built outside the lock; appending then only moves them in.
        var records: [SimUpsertRecord] = []
        let status: Int
        switch validated {
        case .failure(let rejection):
            status = rejection.status
            records = zip(received.values, received.rawJSON).compactMap { entry, json in
                entry.objectValue?["external_id"]?.stringValue.map {
                    SimUpsertRecord(
                        request: 0, externalID: $0, status: status, stored: false, entryJSON: json,
                        receivedAt: wallNow)
                }
            }
        case .success(let entries):
            status = 200
            records = zip(entries, received.rawJSON).map { entry, json in
                SimUpsertRecord(
                    request: 0, externalID: entry.externalID, status: 200,
                    stored: refusedIDs.isEmpty || !refusedIDs.contains(entry.externalID), entryJSON: json,
                    receivedAt: wallNow)
            }
        }
        return data.withLockedValue { data in
            data.upsertSequence += 1
            data.upsertRequests += 1
            data.usersReceived += received.values.count
            data.maxUsersPerRequest = max(data.maxUsersPerRequest, received.values.count)
            for var record in records {
                record.request = data.upsertSequence
                data.log.append(record)
            }
            guard case .success(let entries) = validated else { return UpsertResult(status: status) }
            let outcome = data.store.upsert(entries, entryErrorIDs: refusedIDs, now: Int(wallNow))
            data.contactsCreated += outcome.created
            data.contactsUpdated += outcome.updated
            data.entryErrors += outcome.entryErrors.count
            return UpsertResult(
                status: 200, created: outcome.created, updated: outcome.updated, entryErrors: outcome.entryErrors)
        }
    }

    func createAttribute(_ definition: SimAttributeDefinition) -> Result<Void, ContactStore.AttributeChangeError> {
        data.withLockedValue { data in
            let result = Result { () throws(ContactStore.AttributeChangeError) in try data.store.create(definition) }
            if case .success = result { data.attributeCreates += 1 }
            return result
        }
    }

    func updateAttribute(
        name: String, label: String?, description: FieldChange<String>, archived: Bool?
    ) -> Result<SimAttributeDefinition, ContactStore.AttributeChangeError> {
        data.withLockedValue { data in
            Result { () throws(ContactStore.AttributeChangeError) in
                try data.store.update(name: name, label: label, description: description, archived: archived)
            }
        }
    }
}
