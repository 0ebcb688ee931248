import ContactSyncCore

/// One setting as operators see it. Each is an environment variable and the
/// same-named flag (`--kafka-brokers` for `KAFKA_BROKERS`); flags win.
public struct Setting: Sendable {
    public let name: String
    /// The value used when the setting is not given (empty when there is none),
    /// or, in words, what happens instead ("required", "system store").
    public let defaultValue: String
    public let defaultIsLiteral: Bool
    public let help: String

    public var flag: String { "--" + name.lowercased().replacing("_", with: "-") }
    /// Refused as a flag: any user can read a command line (/proc/<pid>/cmdline).
    public var isSecret: Bool { ConfigurationReader.isSecretSetting(name) }
}

/// Every setting, in the order operators meet them. The reader reads only
/// these names (`SettingValues` checks), `--help` prints this table, and the
/// README's settings table is `markdown` (`SettingsTableTests` compares them).
/// Defaults are taken from `ContactSyncConfiguration()`, never written twice.
public enum SettingsTable {
    public static let all: [Setting] = {
        let d = ContactSyncConfiguration()
        func ms(_ duration: Duration) -> String { "\(Int(duration / .milliseconds(1)))" }
        func setting(_ name: String, _ defaultValue: String, _ help: String) -> Setting {
            Setting(name: name, defaultValue: defaultValue, defaultIsLiteral: true, help: help)
        }
        func setting(_ name: String, described: String, _ help: String) -> Setting {
            Setting(name: name, defaultValue: described, defaultIsLiteral: false, help: help)
        }
        return [
            setting("KAFKA_BROKERS", d.kafka.brokers, "bootstrap servers"),
            setting("KAFKA_GROUP_ID", d.kafka.groupID, "consumer group"),
            setting("KAFKA_TOPICS", d.kafka.topics.joined(separator: ","), "input topics, comma-separated"),
            setting("RESULT_TOPIC", d.kafka.resultTopic, "one result per contact per decision"),
            setting("DEAD_LETTER_TOPIC", d.kafka.deadLetterTopic, "every rejected/failed record"),
            setting("KAFKA_PROPERTIES_FILE", "", "librdkafka properties file (`name=value` lines); other `KAFKA_*` variables pass through as properties too"),
            setting("BOOKBAG_BASE_URL", d.bookbag.baseURL, "Bookbag API base URL; `http://` only to loopback"),
            setting("BOOKBAG_CHATBOT_ID", described: "required", "the agent's numeric id"),
            setting("BOOKBAG_API_KEY_FILE", "", "file holding the API key (preferred; this or `BOOKBAG_API_KEY` is required)"),
            setting("BOOKBAG_API_KEY", "", "the API key, when there is no key file"),
            setting("BOOKBAG_CA_BUNDLE", described: "system store", "CA bundle for TLS verification"),
            setting("BOOKBAG_PROXY", described: "none", "proxy for Bookbag calls (`http://`, `https://`, `socks5://`, `socks5h://`); not with a plain-`http://` base URL; `http_proxy` and the like are ignored"),
            setting("BOOKBAG_TIMEOUT_MS", ms(d.bookbag.requestTimeout), "per-request timeout"),
            setting("BOOKBAG_MAX_IN_FLIGHT", "\(d.bookbag.maxInFlight)", "Bookbag requests in flight at most, upserts and attribute calls alike (lowered on 429s, raised again on success)"),
            setting("BOOKBAG_MAX_REQUESTS_PER_SECOND", described: "none", "client-side request rate cap"),
            setting("BOOKBAG_MAX_RETRY_AFTER_MS", ms(d.bookbag.maxRetryAfter), "longest wait a 429's `Retry-After` may impose (1000–86400000); anything longer, up to an HTTP date in the year 9999, is cut to it"),
            setting("RETRY_MAX_ATTEMPTS", "\(d.bookbag.retry.maxAttempts)", "attempts per contact before `failed`"),
            setting("RETRY_MAX_ELAPSED_MS", ms(d.bookbag.retry.maxElapsed), "time per contact before `failed`"),
            setting("BATCH_MIN_EVENTS", "\(d.batching.minEvents)", "records per batch at first and while the stream is quiet (see \"Adaptive sizes\"); the maximum alone set below it lowers it too"),
            setting("BATCH_MAX_EVENTS", "\(d.batching.maxEvents)", "records per batch at most, reached while a backlog lasts; equal bounds make a fixed size"),
            setting("BATCH_MAX_WAIT_MS", ms(d.batching.maxWait), "a batch closes at its size or after this wait, whichever comes first"),
            setting("UPSERT_MIN_USERS", "\(d.batching.upsertMinUsers)", "users per upsert request at first (1–1000)"),
            setting("UPSERT_MAX_USERS", "\(d.batching.upsertMaxUsers)", "users per upsert request at most (1–1000, Bookbag's own limit): 429s grow the size before they cut concurrency"),
            setting("MAX_OUTSTANDING_RECORDS", "\(d.batching.maxOutstandingRecords)", "records without acknowledged results before fetching pauses"),
            setting("MEMORY_TARGET_MB", "\((d.batching.memoryTargetBytes ?? 0) >> 20)", "resident memory above which batches shrink and fetching holds while results are awaited; `0`: none (see \"Adaptive sizes\")"),
            setting("MAX_RECORD_BYTES", "\(d.decodeLimits.maxValueBytes)", "larger record values are rejected (`value_too_large`); a dead letter that would not fit the producer's `message.max.bytes` keeps a prefix of the value, its size and SHA-256 (`truncated: true`)"),
            setting("CLOCK_TOPIC", d.clocks.topic, "the compacted changelog of the field clocks (see \"Field clocks\"); created by the operator, like every topic"),
            setting("CLOCK_STORE_PATH", d.clocks.storePath, "the local clock store (SQLite; with `-wal`, `-shm` and `.lock` beside it); one per replica; restored from `CLOCK_TOPIC` when missing (the image sets `/var/lib/contact-sync/field-clocks.sqlite`, a volume)"),
            setting("CLOCK_STORE_CACHE_MB", "\(d.clocks.storeCacheBytes >> 20)", "SQLite's page cache for the store (1–4096)"),
            setting("CLOCKS_RESEND_STORED", "\(d.clocks.resendStored)", "`true`: values equal to what the clocks say Bookbag holds are sent again (a forced re-send after a rewind); older values are still refused"),
            setting("CONTACT_MEMORY_CAPACITY", "\(d.contactMemoryCapacity)", "contacts whose clocks are cached in memory in front of the store"),
            setting("ATTRIBUTES_FILE", described: "none", "JSON object name → type; only these (plus `last_login_at`) are synced"),
            setting("HTTP_HOST", d.httpHost, "address of `/healthz`, `/readyz`, `/metrics`; the container image sets `0.0.0.0`"),
            setting("HTTP_PORT", "\(d.httpPort)", "port of `/healthz`, `/readyz`, `/metrics`"),
            setting("SHUTDOWN_TIMEOUT_MS", ms(d.shutdownTimeout), "graceful shutdown deadline"),
            setting("LOG_LEVEL", ContactSyncConfiguration.defaultLogLevel, "trace, debug, info, notice, warning, error or critical"),
            setting("LOG_FORMAT", ContactSyncConfiguration.defaultLogFormat, "`text`, or `json` for one JSON object per line"),
            setting("INTAKE_ENABLED", "\(d.intake.enabled)", "`true`: `run` also serves the webhook intake (`contact-sync intake` always does); see \"Webhook intake\""),
            setting("INTAKE_HOST", d.intake.host, "the intake's own listener (`POST /v1/events` only); the container image sets `0.0.0.0`"),
            setting("INTAKE_PORT", "\(d.intake.port)", "the intake listener's port"),
            setting("INTAKE_SIGNING_SECRETS_FILE", described: "required when the intake runs", "Standard Webhooks secrets (`whsec_…`), one per line; `#` comments and blank lines ignored; up to 16 (rotation)"),
            setting("INTAKE_TIMESTAMP_TOLERANCE_MS", ms(d.intake.timestampTolerance), "how far `webhook-timestamp` may be from now, either way (1000–3600000)"),
            setting("INTAKE_MAX_BATCH", "\(d.intake.maxBatchEvents)", "events per delivery at most (1–10000)"),
            setting("INTAKE_MAX_BODY_BYTES", "\(d.intake.maxBodyBytes)", "request body size at most (413 past it)"),
            setting("INTAKE_PRODUCE_TIMEOUT_MS", ms(d.intake.produceTimeout), "how long the broker has to acknowledge a delivery's records before the answer is 503"),
            setting("INTAKE_MAX_IN_FLIGHT_BYTES", "\(d.intake.maxInFlightBytes)", "request bytes held at once (503 past it)"),
            setting("INTAKE_READ_TIMEOUT_MS", ms(d.intake.readTimeout), "how long a sender has to deliver the body (408 past it)"),
            setting("INTAKE_PROFILE_TOPIC", d.intake.profileTopic, "where `profile_changed` deliveries are written"),
            setting("INTAKE_LOGIN_TOPIC", d.intake.loginTopic, "where `login` deliveries are written"),
        ]
    }()

    public static let names: Set<String> = Set(all.map(\.name))

    /// For `--help`: each setting's name on a line of its own, its help and default below.
    public static var helpText: String {
        all.map { setting in
            let shown =
                setting.defaultValue.isEmpty ? "" : setting.defaultIsLiteral ? " (default \(setting.defaultValue))" : " (\(setting.defaultValue))"
            return "  \(setting.name)\n      \(setting.help.replacing("`", with: ""))\(shown)"
        }.joined(separator: "\n")
    }

    /// The README's settings table.
    public static var markdown: String {
        let rows = all.map { setting in
            let shown = setting.defaultValue.isEmpty || !setting.defaultIsLiteral ? setting.defaultValue : "`\(setting.defaultValue)`"
            return "| `\(setting.name)` | \(shown) | \(setting.help) |"
        }
        return (["| variable | default | meaning |", "| --- | --- | --- |"] + rows).joined(separator: "\n")
    }
}
