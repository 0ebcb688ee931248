import ContactSyncCore

/// Counters of the API traffic (the `/_sim/` endpoints are not counted).
public struct SimStats: Sendable, Equatable {
    /// API requests received, whatever their outcome.
    public var requests = 0
    /// "POST contacts 200" → count; "… dropped" for connections closed without a response.
    public var byRouteStatus: [String: Int] = [:]
    /// `POST …/contacts` requests that got past auth and faults to the upsert handler.
    public var upsertRequests = 0
    /// Entries in those requests' users arrays, stored or not.
    public var usersReceived = 0
    public var maxUsersPerRequest = 0
    /// Entries created / updated / refused through `entryErrorIDs`.
    public var contactsCreated = 0
    public var contactsUpdated = 0
    public var entryErrors = 0
    /// Contacts stored right now.
    public var contacts = 0
    public var inFlight = 0
    public var maxInFlight = 0
    /// Requests that arrived before the `Retry-After` instant last announced to their key
    /// (and more than 50 ms after it was announced: earlier ones were already on the wire).
    public var earlyRequests = 0
    /// Requests answered 429.
    public var rateLimited = 0
    /// Requests answered by `failStatus`, `failEveryNth` or `dropForMilliseconds`.
    public var faulted = 0
    public var dropped = 0
    /// Custom attributes created through the API.
    public var attributeCreates = 0
    /// Unix seconds.
    public var firstRequestAt: Double?
    public var lastRequestAt: Double?

    public init() {}

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        func field(_ key: String, _ value: Int) {
            writer.key(key)
            writer.number(value)
        }
        field("requests", requests)
        writer.key("by_route_status")
        writer.beginObject()
        for key in byRouteStatus.keys.sorted() {
            writer.key(key)
            writer.number(byRouteStatus[key]!)
        }
        writer.endObject()
        field("upsert_requests", upsertRequests)
        field("users_received", usersReceived)
        field("max_users_per_request", maxUsersPerRequest)
        field("contacts_created", contactsCreated)
        field("contacts_updated", contactsUpdated)
        field("entry_errors", entryErrors)
        field("contacts", contacts)
        field("in_flight", inFlight)
        field("max_in_flight", maxInFlight)
        field("early_requests", earlyRequests)
        field("rate_limited", rateLimited)
        field("faulted", faulted)
        field("dropped", dropped)
        field("attribute_creates", attributeCreates)
        writer.key("first_request_at")
        if let firstRequestAt { writer.number(firstRequestAt) } else { writer.null() }
        writer.key("last_request_at")
        if let lastRequestAt { writer.number(lastRequestAt) } else { writer.null() }
        writer.endObject()
    }
}
