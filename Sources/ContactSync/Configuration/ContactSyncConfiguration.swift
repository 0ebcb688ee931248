import ContactSyncCore

/// Every setting of the service (contracts section 5), with its default. The
/// reader that fills it from the environment and flags is `ConfigurationReader`.
public struct ContactSyncConfiguration: Sendable {
    public struct Kafka: Sendable {
        public var brokers = "127.0.0.1:9092"
        public var groupID = "bookbag-contact-sync"
        public var topics = ["store.customer.profile-changed", "store.customer.login"]
        public var resultTopic = "bookbag.contact-sync.results"
        public var deadLetterTopic = "bookbag.contact-sync.dead-letter"
        /// librdkafka properties passed through (KAFKA_* variables, KAFKA_PROPERTIES_FILE).
        public var passthrough: [String: String] = [:]
        public init() {}
    }

    public struct Bookbag: Sendable {
        public var baseURL = "https://app.bookbag.ai"
        public var chatbotID = ""
        public var apiKey = APIKey("")
        public var requestTimeout: Duration = .seconds(30)
        public var caBundlePath: String?
        /// BOOKBAG_PROXY; nil: no proxy at all (the environment's proxy variables are ignored).
        public var proxy: String?
        public var maxInFlight = 4
        /// Client-side cap on requests per second (nil: none).
        public var maxRequestsPerSecond: Double?
        /// The longest wait a 429's `Retry-After` may impose (`BOOKBAG_MAX_RETRY_AFTER_MS`).
        public var maxRetryAfter: Duration = RetryAfter.defaultMaximum
        /// Generous by default: while Bookbag is down the partitions simply do not
        /// advance; a contact is `failed` only after this budget.
        public var retry = RetryPolicy(maxAttempts: 30, maxElapsed: .seconds(600))
        public init() {}
    }

    public struct Batching: Sendable {
        /// Bounds of the adaptive batch size (`AdaptiveBatchSize`): it starts at
        /// the minimum and grows towards the maximum while a backlog lasts.
        public var minEvents = 500
        /// 10,000 folds 200k Zipf events into 0.34 users per event where 5,000
        /// gave 0.38, in 40% fewer requests; 15,000 gave 0.33 but took the 10x
        /// run's peak RSS near the 100 MB budget (session 16's sweep).
        public var maxEvents = 10_000
        public var maxWait: Duration = .milliseconds(200)
        /// Bounds of the adaptive request size (`AdaptiveRequestSize`): it starts
        /// at the minimum and grows on 429s towards the maximum (Bookbag's own limit is 1,000).
        public var upsertMinUsers = 100
        public var upsertMaxUsers = 1_000
        /// Records consumed but without acknowledged results, before fetching
        /// pauses: room for a batch in flight and the next one at the maximum
        /// size. More buys no throughput and costs memory: every record's
        /// payload is held until its result is acknowledged.
        public var maxOutstandingRecords = 20_000
        /// MEMORY_TARGET_MB: resident memory above which batches shrink and
        /// fetching holds while records are in flight; nil: no target. Off by
        /// default: a target, not a limit (work already under way still
        /// allocates), and session 17 measured up to 26 MB over it at 40,000-record
        /// batches on 2M events, so it does not yet buy the default batch ceiling
        /// a larger window within 100 MB.
        public var memoryTargetBytes: Int? = nil
        public init() {}
    }

    /// The durable field clocks (contracts section 1): a compacted changelog
    /// topic, restored into a local store that every replica keeps whole.
    public struct Clocks: Sendable {
        /// CLOCK_TOPIC: compacted, created by the operator (never by the service).
        public var topic = "bookbag.contact-sync.field-clocks"
        /// CLOCK_STORE_PATH: the local SQLite store; missing at start means restored from `topic`.
        public var storePath = "contact-sync-clocks.sqlite"
        /// CLOCK_STORE_CACHE_MB: SQLite's page cache, the store's share of memory.
        /// The contact memory in front of it serves the hot contacts; 8 MB gave
        /// the same events/s at 2M events over 1M customers.
        public var storeCacheBytes = 4 << 20
        /// CLOCKS_RESEND_STORED: send values equal to what the clocks say Bookbag holds
        /// (a forced re-send after a rewind); older values are still refused.
        public var resendStored = false
        public init() {}
    }

    public var kafka = Kafka()
    public var intake = Intake()
    public var clocks = Clocks()
    public var bookbag = Bookbag()
    public var batching = Batching()
    public var decodeLimits = DecodeLimits()
    /// ATTRIBUTES_FILE contents: only these (plus last_login_at) are synced.
    public var attributeAllowlist: [String: AttributeType]?
    /// Contacts remembered for the unchanged skip and out-of-order protection,
    /// in front of the clock store (which holds them all). 25,000 gave the
    /// 200k benchmark the events/s of 50,000 (Zipf over 50,000 customers: the
    /// hot ones stay) and takes 4 MB off the peak (heaptrack).
    public var contactMemoryCapacity = 25_000
    /// Loopback unless told otherwise: exposing /metrics to the network is a
    /// deliberate choice (the container image sets 0.0.0.0 for its probes).
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    public var shutdownTimeout: Duration = .seconds(30)
    /// LOG_LEVEL and LOG_FORMAT when not set; `LoggingSetup` reads them before the configuration exists.
    public static let defaultLogLevel = "info"
    public static let defaultLogFormat = "text"
    /// Worth a warning at start, not a refusal (a key file others can read).
    public var warnings: [String] = []
    /// Kubernetes service-link variables (KAFKA_PORT=tcp://…) left out of the
    /// librdkafka properties, sorted; logged once at start.
    public var ignoredVariables: [String] = []

    public init() {}
}

/// The Bookbag API key. Its description is redacted so that it cannot reach a
/// log line, an error message or a configuration dump by accident.
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let secret: String
    public init(_ secret: String) { self.secret = secret }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var isEmpty: Bool { secret.isEmpty }
}
