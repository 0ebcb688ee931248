import ContactSyncCore
import FoundationEssentials

/// Reads `ContactSyncConfiguration` from environment variables and the
/// same-named flags (`--kafka-brokers` for `KAFKA_BROKERS`); flags win.
public enum ConfigurationReader {
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
            let variable = name.uppercased().replacing("-", with: "_")
            if isSecretSetting(variable) {
                throw ConfigurationError(
                    description: "--\(name) would put a secret on the command line, where any user can read it; "
                        + "set \(variable) in the environment\(secretFileAdvice(variable)) instead")
            }
            // A mistyped flag would otherwise leave its setting at the default without a word.
            guard variable.hasPrefix("KAFKA_") || SettingsTable.names.contains(variable) else {
                throw ConfigurationError(description: "unknown flag --\(name); contact-sync --help lists the settings")
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
            config.kafka.topics = v.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
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
            let property = name.dropFirst("KAFKA_".count).lowercased().replacing("_", with: ".")
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
        if let v = try integer("MEMORY_TARGET_MB", 0...1_048_576) { config.batching.memoryTargetBytes = v == 0 ? nil : v << 20 }
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
            let key = file.text.trimmingWhitespace()
            guard !key.isEmpty else { throw ConfigurationError(description: "BOOKBAG_API_KEY_FILE: \(path) is empty") }
            return try checkedKey(key, from: "BOOKBAG_API_KEY_FILE")
        }
        if let key = variables["BOOKBAG_API_KEY"]?.trimmingWhitespace(), !key.isEmpty {
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
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(description: "KAFKA_PROPERTIES_FILE: a line has no '=' (expected name=value)")
            }
            out[trimmed[..<equals].trimmingSpaces()] =
                trimmed[trimmed.index(after: equals)...].trimmingSpaces()
        }
        return out
    }

    static func readAttributesFile(_ path: String) throws -> [String: AttributeType] {
        let file = try ConfigurationFile.read(path, setting: "ATTRIBUTES_FILE", maximumBytes: maximumSettingsFileBytes)
        let parsed = try? JSONValue.parse(file.bytes)
        guard let object = parsed?.objectValue else {
            throw ConfigurationError(description: "ATTRIBUTES_FILE: \(path) is not a JSON object of name -> type")
        }
        var out: [String: AttributeType] = [:]
        // By name: a dictionary's order differs from run to run, and a file with several
        // mistakes must name the same one every time.
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard AttributeName.isValid(name) else {
                throw ConfigurationError(description: "ATTRIBUTES_FILE: invalid attribute name '\(name)'")
            }
            guard let text = value.stringValue, let type = AttributeType(rawValue: text) else {
                throw ConfigurationError(description: "ATTRIBUTES_FILE: type of '\(name)' must be text, number, boolean or date")
            }
            out[name] = type
        }
        return out
    }
}
