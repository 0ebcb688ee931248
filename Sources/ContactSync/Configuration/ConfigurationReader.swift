import ContactSyncCore
import Foundation

/// Reads `ContactSyncConfiguration` from environment variables and the
/// same-named flags (`--kafka-brokers` for `KAFKA_BROKERS`); flags win.
public enum ConfigurationReader {
    /// Every setting: its variable and a line of help. `--help` prints this table.
    public static let settings: [(name: String, help: String)] = [
        ("KAFKA_BROKERS", "Kafka bootstrap servers (default 127.0.0.1:9092)"),
        ("KAFKA_GROUP_ID", "consumer group (default bookbag-contact-sync)"),
        ("KAFKA_TOPICS", "input topics, comma-separated (default store.customer.profile-changed,store.customer.login)"),
        ("RESULT_TOPIC", "result topic (default bookbag.contact-sync.results)"),
        ("DEAD_LETTER_TOPIC", "dead-letter topic (default bookbag.contact-sync.dead-letter)"),
        ("CLOCK_TOPIC", "compacted topic of the field clocks, created by the operator (default bookbag.contact-sync.field-clocks)"),
        ("CLOCK_STORE_PATH", "local SQLite store of the field clocks; restored from CLOCK_TOPIC when missing (default contact-sync-clocks.sqlite)"),
        ("CLOCK_STORE_CACHE_MB", "SQLite page cache of the clock store, 1-4096 (default 4)"),
        ("CLOCKS_RESEND_STORED", "true: after a rewind, send values equal to what Bookbag holds again (older ones are still refused) (default false)"),
        ("KAFKA_PROPERTIES_FILE", "librdkafka properties file (name=value lines); other KAFKA_* variables pass through too"),
        ("BOOKBAG_BASE_URL", "Bookbag API base URL (default https://app.bookbag.ai; http:// only to loopback)"),
        ("BOOKBAG_CHATBOT_ID", "the agent's numeric id (required)"),
        ("BOOKBAG_API_KEY_FILE", "file holding the API key (preferred)"),
        ("BOOKBAG_API_KEY", "the API key (when no key file)"),
        ("BOOKBAG_PROXY", "proxy for Bookbag calls, e.g. http://proxy.internal:3128 (default none: http_proxy and the like are ignored)"),
        ("BOOKBAG_CA_BUNDLE", "CA bundle for TLS verification (default: system store)"),
        ("BOOKBAG_TIMEOUT_MS", "per-request timeout (default 30000)"),
        ("BOOKBAG_MAX_IN_FLIGHT", "Bookbag requests in flight at most (default 4)"),
        ("BOOKBAG_MAX_REQUESTS_PER_SECOND", "client-side request rate cap (default none)"),
        ("BOOKBAG_MAX_RETRY_AFTER_MS", "longest wait a 429's Retry-After may impose, 1000-86400000 (default 60000)"),
        ("RETRY_MAX_ATTEMPTS", "attempts per contact before 'failed' (default 30)"),
        ("RETRY_MAX_ELAPSED_MS", "time per contact before 'failed' (default 600000)"),
        ("BATCH_MIN_EVENTS", "records per batch at first and when the stream is quiet (default 500)"),
        ("BATCH_MAX_EVENTS", "records per batch at most, reached while a backlog lasts (default 5000)"),
        ("BATCH_MAX_WAIT_MS", "longest wait to fill a batch (default 200)"),
        ("UPSERT_MIN_USERS", "users per upsert request at first, 1-1000 (default 100)"),
        ("UPSERT_MAX_USERS", "users per upsert request at most, reached under 429s, 1-1000 (default 1000)"),
        ("MAX_OUTSTANDING_RECORDS", "records without acknowledged results before fetching pauses (default 10000)"),
        ("MAX_RECORD_BYTES", "largest record value accepted (default 1048576)"),
        ("CONTACT_MEMORY_CAPACITY", "contacts whose field clocks are cached in memory; the clock store holds all (default 25000)"),
        ("ATTRIBUTES_FILE", "JSON object name -> type; only these attributes (plus last_login_at) are synced"),
        ("INTAKE_ENABLED", "true: `run` also serves the webhook intake (the `intake` subcommand always does) (default false)"),
        ("INTAKE_HOST", "webhook intake address (default 127.0.0.1)"),
        ("INTAKE_PORT", "webhook intake port for POST /v1/events (default 8081)"),
        ("INTAKE_SIGNING_SECRETS_FILE", "Standard Webhooks secrets (whsec_...), one per line; required when the intake runs"),
        ("INTAKE_TIMESTAMP_TOLERANCE_MS", "how far webhook-timestamp may be from now, 1000-3600000 (default 300000)"),
        ("INTAKE_MAX_BATCH", "events per delivery at most, 1-10000 (default 500)"),
        ("INTAKE_MAX_BODY_BYTES", "request body size at most, 64-67108864 (default 1048576)"),
        ("INTAKE_PRODUCE_TIMEOUT_MS", "how long the broker has to acknowledge a delivery before 503, 100-600000 (default 10000)"),
        ("INTAKE_MAX_IN_FLIGHT_BYTES", "request bytes held at once before 503 (default 16777216)"),
        ("INTAKE_READ_TIMEOUT_MS", "time a sender has to deliver the body before 408 (default 10000)"),
        ("INTAKE_PROFILE_TOPIC", "topic for profile_changed deliveries (default store.customer.profile-changed)"),
        ("INTAKE_LOGIN_TOPIC", "topic for login deliveries (default store.customer.login)"),
        ("HTTP_HOST", "ops endpoint address (default 127.0.0.1; the container image sets 0.0.0.0)"),
        ("HTTP_PORT", "ops endpoint port for /healthz /readyz /metrics (default 8080)"),
        ("SHUTDOWN_TIMEOUT_MS", "graceful shutdown deadline (default 30000)"),
        ("LOG_LEVEL", "trace|debug|info|notice|warning|error|critical (default info)"),
        ("LOG_FORMAT", "text|json (default text)"),
    ]

    /// Variables starting with KAFKA_ that are settings, not librdkafka properties.
    static let ownKafkaVariables: Set<String> = ["KAFKA_BROKERS", "KAFKA_GROUP_ID", "KAFKA_TOPICS", "KAFKA_PROPERTIES_FILE"]

    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Turns `--kafka-brokers X` / `--kafka-brokers=X` into `KAFKA_BROKERS=X`.
    /// Secret settings are refused here: any user can read a command line (/proc/<pid>/cmdline).
    public static func flagsAsVariables(_ arguments: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                throw ConfigurationError(description: "unexpected argument '\(argument)'")
            }
            let flag = argument.dropFirst(2)
            let name = flag.prefix { $0 != "=" }
            let variable = name.uppercased().replacingOccurrences(of: "-", with: "_")
            if isSecretSetting(variable) {
                throw ConfigurationError(
                    description: "--\(name) would put a secret on the command line, where any user can read it; "
                        + "set \(variable) in the environment\(secretFileAdvice(variable)) instead")
            }
            let value: String
            if name.endIndex < flag.endIndex {
                value = String(flag[flag.index(after: name.endIndex)...])
            } else {
                index += 1
                guard index < arguments.count else { throw ConfigurationError(description: "flag --\(name) needs a value") }
                value = arguments[index]
            }
            out[variable] = value
            index += 1
        }
        return out
    }

    /// What the process will run. The sync service needs Bookbag's settings and
    /// reads the intake's secrets only with INTAKE_ENABLED; the intake alone
    /// needs its secrets and never reads the Bookbag key.
    public enum Scope: Sendable {
        case sync
        case intake
        /// The command-line tools (`results`, `dead-letters`): Kafka settings only.
        case tools
    }

    public static func read(environment: [String: String], flags: [String] = [], scope: Scope = .sync) throws
        -> ContactSyncConfiguration
    {
        var variables = environment
        for (name, value) in try flagsAsVariables(flags) { variables[name] = value }
        return try build(from: variables, scope: scope)
    }

    static func build(from variables: [String: String], scope: Scope = .sync) throws -> ContactSyncConfiguration {
        var config = ContactSyncConfiguration()
        let values = SettingValues(variables)
        func string(_ name: String) -> String? { values.string(name) }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? { try values.integer(name, range) }

        if let v = string("KAFKA_BROKERS") { config.kafka.brokers = v }
        if let v = string("KAFKA_GROUP_ID") { config.kafka.groupID = v }
        if let v = string("KAFKA_TOPICS") {
            config.kafka.topics = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let v = string("RESULT_TOPIC") { config.kafka.resultTopic = v }
        if let v = string("DEAD_LETTER_TOPIC") { config.kafka.deadLetterTopic = v }
        if let v = string("CLOCK_TOPIC") { config.clocks.topic = v }
        if let v = string("CLOCK_STORE_PATH") { config.clocks.storePath = v }
        if let v = try integer("CLOCK_STORE_CACHE_MB", 1...4096) { config.clocks.storeCacheBytes = v << 20 }
        if let text = string("CLOCKS_RESEND_STORED") {
            switch text.lowercased() {
            case "true", "1", "yes": config.clocks.resendStored = true
            case "false", "0", "no": config.clocks.resendStored = false
            default: throw ConfigurationError(description: "CLOCKS_RESEND_STORED must be true or false, got '\(text)'")
            }
        }
        if let path = string("KAFKA_PROPERTIES_FILE") {
            config.kafka.passthrough.merge(try readProperties(path), uniquingKeysWith: { _, new in new })
        }
        for (name, value) in variables where name.hasPrefix("KAFKA_") && !ownKafkaVariables.contains(name) {
            if isKubernetesServiceLink(name) {
                config.ignoredVariables.append(name)
                continue
            }
            let property = name.dropFirst("KAFKA_".count).lowercased().replacingOccurrences(of: "_", with: ".")
            config.kafka.passthrough[property] = value
        }

        config.ignoredVariables.sort()
        (config.batching.minEvents, config.batching.maxEvents) = try values.bounds(
            "BATCH_MIN_EVENTS", "BATCH_MAX_EVENTS", 1...100_000,
            defaults: (config.batching.minEvents, config.batching.maxEvents))
        if let v = try integer("BATCH_MAX_WAIT_MS", 1...600_000) { config.batching.maxWait = .milliseconds(v) }
        (config.batching.upsertMinUsers, config.batching.upsertMaxUsers) = try values.bounds(
            "UPSERT_MIN_USERS", "UPSERT_MAX_USERS", 1...1000,
            defaults: (config.batching.upsertMinUsers, config.batching.upsertMaxUsers))
        if let v = try integer("MAX_OUTSTANDING_RECORDS", 1...10_000_000) { config.batching.maxOutstandingRecords = v }
        if let v = try integer("MAX_RECORD_BYTES", 64...(64 << 20)) { config.decodeLimits.maxValueBytes = v }
        if let v = try integer("CONTACT_MEMORY_CAPACITY", 2...100_000_000) { config.contactMemoryCapacity = v }
        if let path = string("ATTRIBUTES_FILE") { config.attributeAllowlist = try readAttributesFile(path) }
        if let v = string("HTTP_HOST") { config.httpHost = v }
        if let v = try integer("HTTP_PORT", 0...65535) { config.httpPort = v }
        if let v = try integer("SHUTDOWN_TIMEOUT_MS", 100...3_600_000) { config.shutdownTimeout = .milliseconds(v) }
        try readIntake(values, scope: scope, into: &config)
        guard scope == .sync else { return config }

        if let v = string("BOOKBAG_BASE_URL") { config.bookbag.baseURL = v.hasSuffix("/") ? String(v.dropLast()) : v }
        try BaseURLPolicy.check(config.bookbag.baseURL)
        guard let chatbot = string("BOOKBAG_CHATBOT_ID") else {
            throw ConfigurationError(description: "BOOKBAG_CHATBOT_ID is required")
        }
        guard chatbot.allSatisfy(\.isASCII), chatbot.allSatisfy(\.isNumber) else {
            throw ConfigurationError(description: "BOOKBAG_CHATBOT_ID must be the agent's numeric id")
        }
        config.bookbag.chatbotID = chatbot
        config.bookbag.apiKey = try readAPIKey(variables, warnings: &config.warnings)
        config.bookbag.caBundlePath = string("BOOKBAG_CA_BUNDLE")
        config.bookbag.proxy = string("BOOKBAG_PROXY")
        try BaseURLPolicy.checkProxy(config.bookbag.proxy, baseURL: config.bookbag.baseURL)
        if let v = try integer("BOOKBAG_TIMEOUT_MS", 100...600_000) { config.bookbag.requestTimeout = .milliseconds(v) }
        if let v = try integer("BOOKBAG_MAX_IN_FLIGHT", 1...256) { config.bookbag.maxInFlight = v }
        if let text = string("BOOKBAG_MAX_REQUESTS_PER_SECOND") {
            guard let value = Double(text), value > 0, value.isFinite else {
                throw ConfigurationError(description: "BOOKBAG_MAX_REQUESTS_PER_SECOND must be a positive number")
            }
            config.bookbag.maxRequestsPerSecond = value
        }
        if let v = try integer("BOOKBAG_MAX_RETRY_AFTER_MS", 1_000...86_400_000) { config.bookbag.maxRetryAfter = .milliseconds(v) }
        if let v = try integer("RETRY_MAX_ATTEMPTS", 1...1_000_000) { config.bookbag.retry.maxAttempts = v }
        if let v = try integer("RETRY_MAX_ELAPSED_MS", 1...86_400_000) { config.bookbag.retry.maxElapsed = .milliseconds(v) }

        return config
    }

    static func readAPIKey(_ variables: [String: String], warnings: inout [String]) throws -> APIKey {
        if let path = variables["BOOKBAG_API_KEY_FILE"], !path.isEmpty {
            let file = try KeyFile.load(path, setting: "BOOKBAG_API_KEY_FILE")
            warnings += file.warnings
            let key = file.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw ConfigurationError(description: "BOOKBAG_API_KEY_FILE: \(path) is empty") }
            return try checkedKey(key, from: "BOOKBAG_API_KEY_FILE")
        }
        if let key = variables["BOOKBAG_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            return try checkedKey(key, from: "BOOKBAG_API_KEY")
        }
        throw ConfigurationError(description: "set BOOKBAG_API_KEY_FILE (preferred) or BOOKBAG_API_KEY")
    }

    /// The key goes into an `Authorization` header: a line break would inject
    /// another header, and no space or control character belongs in a token.
    private static func checkedKey(_ key: String, from setting: String) throws -> APIKey {
        let unfit = key.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.isWhitespace }
        guard !unfit else {
            throw ConfigurationError(description: "\(setting): the key contains a space or control character (not shown); check the value")
        }
        return APIKey(key)
    }

    /// Properties and attribute files are small; a cap keeps a wrong path (a device, a log) from being read whole.
    static let maximumSettingsFileBytes = 1 << 20

    static func readProperties(_ path: String) throws -> [String: String] {
        let file = try ConfigurationFile.read(path, setting: "KAFKA_PROPERTIES_FILE", maximumBytes: maximumSettingsFileBytes)
        var out: [String: String] = [:]
        for line in String(decoding: file.bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(description: "KAFKA_PROPERTIES_FILE: a line has no '=' (expected name=value)")
            }
            out[trimmed[..<equals].trimmingCharacters(in: .whitespaces)] =
                trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    static func readAttributesFile(_ path: String) throws -> [String: AttributeType] {
        let file = try ConfigurationFile.read(path, setting: "ATTRIBUTES_FILE", maximumBytes: maximumSettingsFileBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(file.bytes)) as? [String: Any] else {
            throw ConfigurationError(description: "ATTRIBUTES_FILE: \(path) is not a JSON object of name -> type")
        }
        var out: [String: AttributeType] = [:]
        // By name: a dictionary's order differs from run to run, and a file with several
        // mistakes must name the same one every time.
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard AttributeName.isValid(name) else {
                throw ConfigurationError(description: "ATTRIBUTES_FILE: invalid attribute name '\(name)'")
            }
            guard let text = value as? String, let type = AttributeType(rawValue: text) else {
                throw ConfigurationError(description: "ATTRIBUTES_FILE: type of '\(name)' must be text, number, boolean or date")
            }
            out[name] = type
        }
        return out
    }
}
