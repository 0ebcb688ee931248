import ContactSyncCore
import CoreMetrics
import Synchronization

/// The intake's metrics. Labels come from fixed sets (HTTP status, event type,
/// rejection code), never from a request's content.
public final class IntakeMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    /// From queueing a request's records to the last acknowledgement.
    public let produceLatency: CoreMetrics.Timer
    /// Request bytes held now (reserved before the body is read, released after the answer).
    public let inFlightBytes: Gauge

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        produceLatency = CoreMetrics.Timer(label: "contact_sync_intake_produce_duration_seconds", factory: factory)
        inFlightBytes = Gauge(label: "contact_sync_intake_in_flight_bytes", factory: factory)
        inFlightBytes.record(0)
    }

    public func request(status: Int) {
        counter("contact_sync_intake_requests_total", ("status", String(status))).increment()
    }

    public func accepted(_ kind: StoreEvent.Kind, count: Int) {
        counter("contact_sync_intake_events_total", ("type", kind.rawValue)).increment(by: count)
    }

    /// A delivery refused as not authentic; `reason` is a `WebhookRejection` code.
    public func signatureFailure(reason: String) {
        counter("contact_sync_intake_signature_failures_total", ("reason", reason)).increment()
    }

    public func duplicate() { counter("contact_sync_intake_duplicates_total", nil).increment() }

    private func counter(_ label: String, _ dimension: (String, String)?) -> Counter {
        let key = dimension.map { "\(label){\($0.0)=\($0.1)}" } ?? label
        return counters.withLock { cache in
            if let existing = cache[key] { return existing }
            let created = Counter(label: label, dimensions: dimension.map { [$0] } ?? [], factory: factory)
            cache[key] = created
            return created
        }
    }
}
