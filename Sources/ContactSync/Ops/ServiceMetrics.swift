import ContactSyncCore
import CoreMetrics
import FoundationEssentials
import Synchronization

/// Every metric the service exports, by name, in one place. Created once;
/// labels are fixed sets (topic, partition, status, code, endpoint, class),
/// never per contact.
public final class ServiceMetrics: Sendable {
    private let factory: any MetricsFactory
    private let instruments = Mutex<[String: any AnyObject & Sendable]>([:])

    public let batchSize: Recorder
    /// The adaptive batch size the consumer fills to now (`AdaptiveBatchSize`).
    public let batchTarget: Gauge
    /// The adaptive request size: users per upsert request now (`AdaptiveRequestSize`).
    public let requestSizeTarget: Gauge
    public let usersPerRequest: Recorder
    public let eventsPerUpsert: Recorder
    public let bookbagLatency: CoreMetrics.Timer
    public let eventToResultFromOccurred: CoreMetrics.Timer
    public let eventToResultFromConsumed: CoreMetrics.Timer
    public let inFlightLimit: Gauge
    public let contactMemorySize: Gauge
    /// Contacts in the local clock store, and its size on disk (main file and WAL).
    public let clockStoreContacts: Gauge
    public let clockStoreBytes: Gauge
    /// How long the last restore from the changelog took (at start, before joining the group).
    public let clockRestoreSeconds: Gauge
    /// Records of the clock changelog not yet applied to the local store.
    public let clockChangelogLag: Gauge
    /// Resident memory as the consumer last sampled it, and whether that was
    /// over `MEMORY_TARGET_MB` (1) or not (0).
    public let residentMemory: Gauge
    public let memoryOverTarget: Gauge

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        batchSize = Recorder(label: "contact_sync_batch_records", factory: factory)
        batchTarget = Gauge(label: "contact_sync_batch_target_records", factory: factory)
        requestSizeTarget = Gauge(label: "contact_sync_bookbag_request_size_target_users", factory: factory)
        usersPerRequest = Recorder(label: "contact_sync_bookbag_users_per_request", factory: factory)
        eventsPerUpsert = Recorder(label: "contact_sync_events_folded_per_contact", factory: factory)
        bookbagLatency = CoreMetrics.Timer(label: "contact_sync_bookbag_request_duration_seconds", factory: factory)
        eventToResultFromOccurred = CoreMetrics.Timer(label: "contact_sync_event_to_result_seconds", dimensions: [("from", "occurred_at")], factory: factory)
        eventToResultFromConsumed = CoreMetrics.Timer(label: "contact_sync_event_to_result_seconds", dimensions: [("from", "consumed")], factory: factory)
        inFlightLimit = Gauge(label: "contact_sync_bookbag_in_flight_limit", factory: factory)
        contactMemorySize = Gauge(label: "contact_sync_contact_memory_entries", factory: factory)
        clockStoreContacts = Gauge(label: "contact_sync_clock_store_contacts", factory: factory)
        clockStoreBytes = Gauge(label: "contact_sync_clock_store_bytes", factory: factory)
        clockRestoreSeconds = Gauge(label: "contact_sync_clock_restore_seconds", factory: factory)
        clockChangelogLag = Gauge(label: "contact_sync_clock_changelog_lag", factory: factory)
        residentMemory = Gauge(label: "contact_sync_resident_memory_bytes", factory: factory)
        memoryOverTarget = Gauge(label: "contact_sync_memory_over_target", factory: factory)
        Gauge(label: "contact_sync_librdkafka_info", dimensions: [("version", RDKafkaVersion.string)], factory: factory)
            .record(1)
    }

    public func consumed(topic: String, count: Int = 1) {
        counter("contact_sync_records_consumed_total", [("topic", topic)]).increment(by: count)
    }
    public func result(_ status: SyncStatus, count: Int = 1) {
        counter("contact_sync_results_total", [("status", status.rawValue)]).increment(by: count)
    }
    /// Input records whose Kafka key is not their `external_id` (contracts section 1).
    public func notKeyedByExternalID(topic: String, count: Int) {
        counter("contact_sync_records_not_keyed_by_external_id_total", [("topic", topic)]).increment(by: count)
    }
    /// Events whose every field was older than the value Bookbag holds (their
    /// contact's result is `unchanged`, reason `older_than_stored`).
    public func refusedAsOlder(events: Int) {
        counter("contact_sync_events_refused_older_total", []).increment(by: events)
    }
    /// Fields dropped from an update because Bookbag holds a newer value.
    public func fieldsRefusedAsOlder(_ count: Int) {
        counter("contact_sync_fields_refused_older_total", []).increment(by: count)
    }
    /// Contacts in flight carried into the next batch to fold on (`CarriedContacts`).
    public func carried(contacts: Int) {
        counter("contact_sync_contacts_carried_total", []).increment(by: contacts)
    }
    /// Contacts first seen in a batch at the ceiling, held to fold on with the next (`CarriedContacts.holdingNew`).
    public func heldNew(contacts: Int) {
        counter("contact_sync_contacts_held_total", []).increment(by: contacts)
    }
    /// Clock changelog records that are not clock records (skipped, logged).
    public func unreadableClockRecord() { counter("contact_sync_clock_records_unreadable_total", []).increment() }
    public func deadLetter(code: String) { counter("contact_sync_dead_letters_total", [("code", code)]).increment() }
    /// A result split or a dead letter cut to fit the producer's (or the broker's) message size limit.
    public func oversized(topic: String) { counter("contact_sync_oversized_messages_total", [("topic", topic)]).increment() }
    public func bookbagRequest(endpoint: String, status: Int?) {
        let statusClass = status.map { "\($0 / 100)xx" } ?? "transport_error"
        counter("contact_sync_bookbag_requests_total", [("endpoint", endpoint), ("class", statusClass)]).increment()
    }
    public func retry(reason: String) { counter("contact_sync_bookbag_retries_total", [("reason", reason)]).increment() }
    public func rateLimited() { counter("contact_sync_bookbag_rate_limited_total", []).increment() }
    public func lag(_ partition: TopicPartition, _ value: Int64) {
        gauge("contact_sync_consumer_lag", lagDimensions(partition)).record(Double(value))
    }

    /// Drops a partition's lag series (the partition was revoked).
    public func removeLag(_ partition: TopicPartition) {
        let key = instrumentKey(Gauge.self, "contact_sync_consumer_lag", lagDimensions(partition))
        let gauge = instruments.withLock { $0.removeValue(forKey: key) } as? Gauge
        gauge?.destroy()
    }

    private func lagDimensions(_ partition: TopicPartition) -> [(String, String)] {
        [("topic", partition.topic), ("partition", String(partition.partition))]
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        instrument(label, dimensions) { Counter(label: label, dimensions: dimensions, factory: factory) }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
        instrument(label, dimensions) { Gauge(label: label, dimensions: dimensions, factory: factory) }
    }

    /// Created once per label and dimensions, then reused.
    private func instrument<Instrument: AnyObject & Sendable>(
        _ label: String, _ dimensions: [(String, String)], make: () -> Instrument
    ) -> Instrument {
        let key = instrumentKey(Instrument.self, label, dimensions)
        return instruments.withLock { cache in
            if let existing = cache[key] as? Instrument { return existing }
            let created = make()
            cache[key] = created
            return created
        }
    }
}

extension ServiceMetrics {
    fileprivate func instrumentKey(_ type: Any.Type, _ label: String, _ dimensions: [(String, String)]) -> String {
        "\(type)|" + label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
    }
}

/// The consumer's view of the metrics: lag from the high watermark and the
/// last offset it read per partition.
final class ConsumerMetrics: Sendable {
    let metrics: ServiceMetrics
    private let lastRead = Mutex<[TopicPartition: Int64]>([:])
    /// Where reading starts in each assigned partition not read yet (its committed offset).
    private let startOffsets = Mutex<[TopicPartition: Int64]>([:])

    init(_ metrics: ServiceMetrics) { self.metrics = metrics }

    func batchTarget(_ records: Int) { metrics.batchTarget.record(records) }

    func memory(resident bytes: Int, overTarget: Bool) {
        metrics.residentMemory.record(bytes)
        metrics.memoryOverTarget.record(overTarget ? 1 : 0)
    }

    /// Counts a burst of records (in the order consumed) with one metric
    /// update per run of the same partition.
    func consumed(_ records: ArraySlice<KafkaRecord>) {
        var index = records.startIndex
        while index < records.endIndex {
            let first = records[index]
            var end = index + 1
            while end < records.endIndex, records[end].partition == first.partition, records[end].topic == first.topic { end += 1 }
            metrics.consumed(topic: first.topic, count: end - index)
            let last = records[end - 1]
            lastRead.withLock { $0[last.topicPartition] = last.offset }
            index = end
        }
    }

    func highWatermark(_ partition: TopicPartition, _ high: Int64) {
        guard high >= 0 else { return }
        let next = lastRead.withLock { $0[partition] }.map { $0 + 1 } ?? startOffsets.withLock { $0[partition] } ?? high
        metrics.lag(partition, max(0, high - next))
    }

    /// A newly assigned partition: its lag from where reading will start.
    func assigned(_ partition: TopicPartition, start: Int64, high: Int64) {
        // What an earlier ownership read no longer says where reading resumes.
        lastRead.withLock { $0[partition] = nil }
        startOffsets.withLock { $0[partition] = start }
        highWatermark(partition, high)
    }

    /// Revoked partitions: no lag series, nothing remembered.
    func forget(_ partitions: [TopicPartition]) {
        lastRead.withLock { for partition in partitions { $0[partition] = nil } }
        startOffsets.withLock { for partition in partitions { $0[partition] = nil } }
        for partition in partitions { metrics.removeLag(partition) }
    }
}
