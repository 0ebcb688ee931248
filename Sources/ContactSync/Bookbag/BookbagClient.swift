import ContactSyncCore
import FoundationEssentials
import Glibc

/// Bookbag's v1 API as contact-sync uses it (contracts section 2), over the curl
/// wall. It knows paths and headers; what a response means is decided by
/// `ResponseClassifier` in the core. The key is added to headers here and
/// nowhere else. Every call, whatever its endpoint, passes its `RequestGate`,
/// and every 429 moves the gate's shared pause.
public final class BookbagClient: Sendable {
    private let http: CurlHTTPClient
    private let gate: RequestGate
    private let maxRetryAfter: Duration
    private let base: String
    private let headers: [String]
    private let timeout: Duration
    let metrics: ServiceMetrics

    /// A call made by a cancelled task ends its wait at the gate and returns `abandoned`, unsent.
    public init(
        settings: ContactSyncConfiguration.Bookbag, http: CurlHTTPClient, metrics: ServiceMetrics,
        requestSize: AdaptiveRequestSize = AdaptiveRequestSize(minimum: 100, maximum: 100)
    ) {
        self.http = http
        let gate = RequestGate(
            maxInFlight: settings.maxInFlight, requestSize: requestSize, maxRequestsPerSecond: settings.maxRequestsPerSecond,
            maxRetryAfter: settings.maxRetryAfter, metrics: metrics)
        self.gate = gate
        maxRetryAfter = settings.maxRetryAfter
        base = "\(settings.baseURL)/api/v1/chatbots/\(settings.chatbotID)"
        headers = [
            "Authorization: Bearer \(settings.apiKey.secret)",
            "Content-Type: application/json",
            "Accept: application/json",
            "User-Agent: contact-sync/1",
        ]
        timeout = settings.requestTimeout
        self.metrics = metrics
    }

    public struct Answer: Sendable {
        public var outcome: UpsertOutcome
        public var status: Int?
        public var body: [UInt8]
        /// Not sent: the calling task was cancelled (the shutdown deadline).
        public var abandoned = false
    }

    /// POST .../contacts with an encoded `{"users": [...]}` body.
    public func upsert(body: [UInt8]) async -> Answer {
        await call("POST", "\(base)/contacts", body: body, endpoint: "contacts_upsert", adaptsRequestSize: true)
    }

    /// Users per upsert request for `contacts` sent together (spread over the requests in flight, adapted to 429s and latency).
    public func usersPerRequest(for contacts: Int) async -> Int { await gate.usersPerRequest(for: contacts) }

    /// GET .../custom-attributes.
    public func listAttributes() async -> Answer {
        await call("GET", "\(base)/custom-attributes", body: nil, endpoint: "custom_attributes_list")
    }

    /// POST .../custom-attributes.
    public func createAttribute(_ definition: AttributeDefinition) async -> Answer {
        await call(
            "POST", "\(base)/custom-attributes", body: AttributeCatalog.createRequestBody(for: definition),
            endpoint: "custom_attributes_create")
    }

    /// GET .../contacts/{external_id} (for `check` and tests).
    public func contact(externalID: String) async -> Answer {
        await call("GET", "\(base)/contacts/\(externalID)", body: nil, endpoint: "contacts_get")
    }

    private func call(
        _ method: String, _ url: String, body: [UInt8]?, endpoint: String, adaptsRequestSize: Bool = false
    ) async -> Answer {
        guard await gate.acquire() else {
            return Answer(outcome: .transient(status: nil, message: "not sent: shutting down"), status: nil, body: [], abandoned: true)
        }
        let started = ContinuousClock.now
        let answer = await send(method, url, body: body, endpoint: endpoint)
        await gate.release(answer.outcome, upsertLatency: adaptsRequestSize ? ContinuousClock.now - started : nil)
        return answer
    }

    private func send(_ method: String, _ url: String, body: [UInt8]?, endpoint: String) async -> Answer {
        let started = ContinuousClock.now
        let result = await http.execute(
            HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
        metrics.bookbagLatency.recordNanoseconds(Int64((ContinuousClock.now - started).nanosecondsClamped))
        switch result {
        case .success(let response):
            metrics.bookbagRequest(endpoint: endpoint, status: response.status)
            let outcome = ResponseClassifier.classify(
                status: response.status, retryAfter: response.retryAfter, body: response.body, now: .now,
                maxRetryAfter: maxRetryAfter)
            return Answer(outcome: outcome, status: response.status, body: response.body)
        case .failure(let error):
            metrics.bookbagRequest(endpoint: endpoint, status: nil)
            return Answer(outcome: .transient(status: nil, message: error.description), status: nil, body: [])
        }
    }
}

extension Timestamp {
    /// The wall clock now (saturating: a clock set past 2262 must not trap).
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let (seconds, overflow) = Int64(spec.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return Timestamp(nanosecondsSinceEpoch: spec.tv_sec < 0 ? .min : .max) }
        let (total, overflow2) = seconds.addingReportingOverflow(Int64(spec.tv_nsec))
        return Timestamp(nanosecondsSinceEpoch: overflow2 ? .max : total)
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        return seconds > 9_000_000_000 ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
