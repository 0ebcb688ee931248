import ContactSyncCore
import FoundationEssentials

/// `contact-sync results watch`: per interval, results by status, events/s,
/// the top error codes and the sync group's lag, read live from the result topic.
public enum ResultsWatch {
    public struct Options: Sendable {
        /// Nil: from now on.
        public var from: Timestamp?
        public var interval: Duration = .seconds(5)
        /// One JSON line per interval instead of a redrawn table.
        public var json = false
        /// Stop after this long (nil: until interrupted).
        public var duration: Duration?

        public init(from: Timestamp? = nil, interval: Duration = .seconds(5), json: Bool = false, duration: Duration? = nil) {
            self.from = from
            self.interval = interval
            self.json = json
            self.duration = duration
        }
    }

    /// Returns the exit code. `write` gets each report (a JSON line, or a whole screen).
    public static func run(
        configuration: ContactSyncConfiguration, options: Options, write: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        do {
            try await DedicatedThread.run(name: "contact-sync-tool") { try watch(configuration, options, write) }
            return ToolExit.ok
        } catch {
            write("contact-sync results watch: \(error)\n")
            return ToolExit.failure
        }
    }

    private static func watch(
        _ configuration: ContactSyncConfiguration, _ options: Options, _ write: @Sendable (String) -> Void
    ) throws {
        let reader = try PartitionReader(kafka: configuration.kafka, clientID: "results-watch")
        defer { reader.close() }
        let partitions = try reader.partitions(of: configuration.kafka.resultTopic)
        let bounds = try reader.bounds(partitions, since: options.from)
        try reader.assign(bounds.map { ($0.partition, $0.start) })
        let clock = ContinuousClock()
        let stopAt = options.duration.map { clock.now + $0 }
        var windowStart = options.from ?? Timestamp.now
        var windowEnds = clock.now + options.interval
        var tally = ResultTally()
        while stopAt.map({ clock.now < $0 }) ?? true {
            if let record = try reader.next(timeoutMs: 100), let result = JSONObjectView(record.value) {
                tally.add(
                    status: result.string("status") ?? "unknown", events: result.strings("event_ids").count,
                    errorCode: result.object("error")?.string("code"))
            }
            guard clock.now >= windowEnds else { continue }
            let now = Timestamp.now
            let seconds = Double(now.nanosecondsSinceEpoch - windowStart.nanosecondsSinceEpoch) / 1e9
            let lag = reader.groupLag(topics: configuration.kafka.topics)
            if options.json {
                write(tally.jsonLine(at: now, intervalSeconds: seconds, lag: lag) + "\n")
            } else {
                write("\u{1B}[H\u{1B}[2J" + tally.tableLines(at: now, intervalSeconds: seconds, lag: lag).joined(separator: "\n") + "\n")
            }
            tally = ResultTally()
            windowStart = now
            windowEnds = clock.now + options.interval
        }
    }
}
