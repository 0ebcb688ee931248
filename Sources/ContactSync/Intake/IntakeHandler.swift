import ContactSyncCore
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// The webhook intake's decisions, from a request's first line to its answer
/// (contracts section 5). The HTTP server (`IntakeServer`) only carries bytes
/// to and from it.
///
/// Order of the checks: path and method, content type, declared size, room in
/// the in-flight budget; then, with the body read: signature, body and events
/// (the consumer's own decoder), redelivery; then the records are written and
/// the answer waits for the broker's acknowledgement of every one.
final class IntakeHandler: Sendable {
    static let path = "/v1/events"

    /// What to do before reading the body.
    enum Opening: Equatable {
        case answer(IntakeAnswer)
        /// Read at most `maxBodyBytes`; `reserved` bytes are held until `finish(reserved:)`.
        case readBody(reserved: Int)
    }

    /// Standard Webhooks' three headers, as received (nil when missing).
    struct WebhookHeaders: Sendable {
        var id: String?
        var timestamp: String?
        var signature: String?
    }

    let settings: ContactSyncConfiguration.Intake
    private let producer: IntakeProducer
    private let metrics: IntakeMetrics
    private let logger: Logger
    private let verifier: WebhookVerifier
    private let budget: InFlightBytes
    private let recent: Mutex<RecentWebhookIDs>
    private let decodeLimits: DecodeLimits
    /// Unix seconds; a test may move it.
    private let now: @Sendable () -> Int64

    init(
        settings: ContactSyncConfiguration.Intake, decodeLimits: DecodeLimits, producer: IntakeProducer,
        metrics: IntakeMetrics, logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.settings = settings
        self.decodeLimits = decodeLimits
        self.producer = producer
        self.metrics = metrics
        self.logger = logger
        self.now = now
        verifier = WebhookVerifier(secrets: settings.secrets, tolerance: settings.timestampTolerance)
        budget = InFlightBytes(limit: settings.maxInFlightBytes) { metrics.inFlightBytes.record($0) }
        // Remember ids at least as long as a redelivery passes the timestamp check.
        recent = Mutex(RecentWebhookIDs(capacity: settings.rememberedIDs, window: settings.timestampTolerance * 2))
    }

    func open(method: String, path: String, contentType: String?, contentLength: Int?) -> Opening {
        guard path == Self.path else {
            return .answer(.problem(404, title: "Not Found", detail: "the intake serves only POST \(Self.path)"))
        }
        guard method == "POST" else {
            var answer = IntakeAnswer.problem(405, title: "Method Not Allowed", detail: "\(Self.path) takes POST only")
            answer.allow = "POST"
            return .answer(answer)
        }
        guard let contentType, Self.isJSON(contentType) else {
            return .answer(.problem(415, title: "Unsupported Media Type", detail: "the body must be application/json"))
        }
        if let contentLength, contentLength > settings.maxBodyBytes {
            return .answer(tooLarge())
        }
        // Without a declared length (chunked), the largest body allowed is held.
        let reserved = contentLength ?? settings.maxBodyBytes
        guard budget.reserve(reserved) else {
            return .answer(
                .problem(503, title: "Service Unavailable", detail: "the intake is at its in-flight limit; retry later", retryAfter: 1))
        }
        return .readBody(reserved: reserved)
    }

    /// Gives back what `open` reserved, once the answer is decided.
    func finish(reserved: Int) { budget.release(reserved) }

    func tooLarge() -> IntakeAnswer {
        .problem(413, title: "Content Too Large", detail: "the body is larger than \(settings.maxBodyBytes) bytes")
    }

    func readTimedOut() -> IntakeAnswer {
        .problem(408, title: "Request Timeout", detail: "the body did not arrive within \(settings.readTimeout)")
    }

    func deliver(headers: WebhookHeaders, body: [UInt8]) async -> IntakeAnswer {
        let verdict = verifier.verify(
            id: headers.id, timestamp: headers.timestamp, signature: headers.signature, body: body, now: now())
        let webhookID: String
        switch verdict {
        case .rejected(let rejection):
            metrics.signatureFailure(reason: rejection.code)
            logger.notice("webhook delivery refused: \(rejection.message)", metadata: ["code": "\(rejection.code)"])
            return .problem(401, title: "Unauthorized", detail: rejection.message)
        case .verified(let id, _):
            webhookID = id
        }
        var logger = logger
        logger[metadataKey: "webhook_id"] = "\(webhookID)"

        let events: [IntakeEvent]
        switch IntakeBody.parse(body, maxEvents: settings.maxBatchEvents, limits: decodeLimits) {
        case .success(let parsed):
            events = parsed
        case .failure(let rejection):
            logger.notice(
                "webhook delivery refused: \(rejection.message)",
                metadata: ["code": "\(rejection.code)", "bad_events": "\(rejection.events.count)"])
            return .problem(400, title: "Bad Request", detail: rejection.message, errors: rejection.events)
        }

        // The producer would refuse such a record for good; a retry could never succeed.
        if let index = events.firstIndex(where: { $0.value.count + $0.event.externalID.utf8.count > producer.maxPayloadBytes }) {
            return .problem(
                413, title: "Content Too Large",
                detail: "event \(index) is larger than the \(producer.maxPayloadBytes) bytes a Kafka record may hold here")
        }

        let clock = ContinuousClock()
        switch recent.withLock({ $0.admit(webhookID, now: Self.monotonicNanos()) }) {
        case .alreadyAccepted(let count):
            metrics.duplicate()
            logger.info("webhook redelivered; its \(count) event(s) were written before")
            return .accepted(count: count, webhookID: webhookID, duplicate: true)
        case .inProgress:
            return .problem(
                503, title: "Service Unavailable", detail: "a delivery with this webhook-id is being written; retry later",
                retryAfter: 1)
        case .new:
            break
        }
        let started = clock.now
        let delivery = await producer.write(
            events.map { IntakeRecord(topic: settings.topic(for: $0.event.kind), key: Array($0.event.externalID.utf8), value: $0.value) })
        metrics.produceLatency.recordNanoseconds((clock.now - started).nanosecondsClamped)
        switch delivery {
        case .acknowledged:
            recent.withLock { $0.finish(webhookID, accepted: events.count, now: Self.monotonicNanos()) }
            for kind in [StoreEvent.Kind.profileChanged, .login] {
                let count = events.lazy.filter { $0.event.kind == kind }.count
                if count > 0 { metrics.accepted(kind, count: count) }
            }
            logger.debug(
                "webhook delivery written", metadata: ["events": "\(events.count)", "external_id": "\(events[0].event.externalID)"])
            return .accepted(count: events.count, webhookID: webhookID, duplicate: false)
        case .notAcknowledged(let reason):
            recent.withLock { $0.finish(webhookID, accepted: nil, now: Self.monotonicNanos()) }
            logger.warning("webhook delivery not acknowledged by the broker: \(reason)")
            return .problem(
                503, title: "Service Unavailable",
                detail: "the broker did not acknowledge the events in time; retry later (events already written are deduplicated downstream)",
                retryAfter: Self.retryAfterSeconds)
        }
    }

    static let retryAfterSeconds = 5

    /// `application/json`, with or without parameters (`; charset=utf-8`), any case.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingSpaces().lowercased() == "application/json"
    }

    private static func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
