import ArgumentParser
import ContactSync
import ContactSyncCore
import Dispatch
import FoundationEssentials
import Glibc

/// Reads the Kafka settings for a tool (exit 2 on a configuration error).
private func toolConfiguration(_ settings: [String]) throws -> ContactSyncConfiguration {
    do {
        return try ConfigurationReader.read(environment: ProcessInfo.processInfo.environment, flags: settings, scope: .tools)
    } catch {
        FileDescriptorOutput.writeAll(Array("configuration error: \(SecretRedaction.redact("\(error)"))\n".utf8), to: STDERR_FILENO)
        throw ExitCode(ToolExit.usage)
    }
}

private func timeBound(_ text: String?, option: String) throws -> Timestamp? {
    guard let text else { return nil }
    guard let time = TimeBound.parse(text, now: .now) else {
        throw ValidationError("\(option) takes \(TimeBound.help); got '\(text)'")
    }
    return time
}

private func writeOut(_ text: String) { FileDescriptorOutput.writeAll(Array(SecretRedaction.redact(text).utf8), to: STDOUT_FILENO) }
private func writeErr(_ text: String) { FileDescriptorOutput.writeAll(Array((SecretRedaction.redact(text) + "\n").utf8), to: STDERR_FILENO) }

private let exitCodes = """
    Exit codes: 0 done; 1 Kafka unreachable, a topic missing or a record not acknowledged; 2 a wrong flag or setting; \
    3 trace found nothing / replay refused some dead letters (truncated); 4 replay interrupted (progress saved).
    """

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Watch and trace the result topic (RESULT_TOPIC).",
        subcommands: [ResultsWatchCommand.self, ResultsTraceCommand.self])
}

struct ResultsWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "A live view of the result topic: results by status, events/s, top error codes, the group's lag.",
        discussion: """
            A refreshing table on a terminal; one JSON line per interval when piped or with --json. Uses the same \
            settings as the service (KAFKA_BROKERS, RESULT_TOPIC, KAFKA_GROUP_ID and KAFKA_TOPICS for the lag, SASL/TLS \
            as KAFKA_* variables) and prints no personal data.

            Examples:
              contact-sync results watch
              contact-sync results watch --from 15m --json | jq .results
              contact-sync results watch --interval 10 --duration 60 --json > results.jsonl

            \(exitCodes)
            """)

    @Option(help: "Also count results since this time: \(TimeBound.help) (default: from now on).") var from: String?
    @Option(help: "Seconds per report.") var interval = 5
    @Option(help: "Stop after this many seconds (default: until interrupted).") var duration: Int?
    @Flag(help: "One JSON line per interval (the default when standard output is not a terminal).") var json = false
    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func validate() throws {
        guard interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
    }

    func run() async throws {
        let configuration = try toolConfiguration(settings)
        let options = ResultsWatch.Options(
            from: try timeBound(from, option: "--from"), interval: .seconds(interval),
            json: json || isatty(STDOUT_FILENO) != 1, duration: duration.map { .seconds($0) })
        let code = await ResultsWatch.run(configuration: configuration, options: options, write: writeOut)
        if code != 0 { throw ExitCode(code) }
    }
}

struct ResultsTraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Every result and dead letter of one contact, in order.",
        discussion: """
            Shows what was decided, from which events (topic/partition/offset), the HTTP status and the error. Reads only \
            the partition of RESULT_TOPIC and DEAD_LETTER_TOPIC that the external_id maps to (librdkafka's partitioner, or \
            KAFKA_PARTITIONER), from --since on, and says so when a topic is not keyed that way. Dead letters are shown \
            without the original key and value.

            Examples:
              contact-sync results trace cust-42
              contact-sync results trace cust-42 --since 2026-12-01T00:00:00Z --json
              contact-sync results trace cust-42 --all-partitions

            \(exitCodes)
            """)

    @Argument(help: "The contact's external_id.") var externalID: String
    @Option(help: "Read from this time on: \(TimeBound.help).") var since = "24h"
    @Flag(help: "Read every partition (for topics not keyed by external_id).") var allPartitions = false
    @Flag(help: "One JSON object per line.") var json = false
    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let configuration = try toolConfiguration(settings)
        guard let since = try timeBound(since, option: "--since") else { return }
        let options = ResultsTrace.Options(externalID: externalID, since: since, allPartitions: allPartitions, json: json)
        let code = await ResultsTrace.run(configuration: configuration, options: options, write: writeOut, warn: writeErr)
        if code != 0 { throw ExitCode(code) }
    }
}

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "Work with the dead-letter topic (DEAD_LETTER_TOPIC).",
        subcommands: [DeadLettersReplayCommand.self])
}

struct DeadLettersReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Produce dead-lettered records back to their source topics, exactly as received.",
        discussion: """
            Each record goes back to its source topic and partition with its key, value and headers as received. Dead \
            letters cut to fit the producer's limit (truncated) are refused and listed. Progress is saved in a consumer \
            group of its own, one per filter (or --group), committed only behind acknowledged records: an interrupted \
            replay (Ctrl-C, SIGTERM) resumes where it stopped when run again with the same filter; a finished one \
            replays nothing twice. Use absolute times with --since/--until to resume (a span like 2h moves with now).

            Examples:
              contact-sync dead-letters replay --dry-run
              contact-sync dead-letters replay --code bookbag_unavailable --since 2026-12-01T08:00:00Z
              contact-sync dead-letters replay --topic store.customer.login --limit 100

            \(exitCodes)
            """)

    @Option(help: "Only this error code (repeatable).") var code: [String] = []
    @Option(help: "Only dead letters decided at or after: \(TimeBound.help).") var since: String?
    @Option(help: "Only dead letters decided before: \(TimeBound.help).") var until: String?
    @Option(help: "Only records from this source topic (repeatable).") var topic: [String] = []
    @Option(help: "Replay at most this many records.") var limit: Int?
    @Flag(help: "Count by code and show a sample; produce nothing, save no progress.") var dryRun = false
    @Option(help: "The consumer group that keeps the progress (default: one per filter).") var group: String?
    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let configuration = try toolConfiguration(settings)
        let filter = DeadLetterFilter(
            codes: Set(code), since: try timeBound(since, option: "--since"), until: try timeBound(until, option: "--until"),
            topics: Set(topic))
        let options = DeadLetterReplay.Options(filter: filter, limit: limit, dryRun: dryRun, group: group)
        let stop = InterruptionSignals { DeadLetterReplay.interruption.store(true, ordering: .relaxed) }
        defer { stop.cancel() }
        let code = await DeadLetterReplay.run(configuration: configuration, options: options, write: writeOut)
        if code != 0 { throw ExitCode(code) }
    }
}

/// SIGINT and SIGTERM call `handler` instead of ending the process, so that a
/// tool can stop at a safe point.
final class InterruptionSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { for source in sources { source.cancel() } }
}
