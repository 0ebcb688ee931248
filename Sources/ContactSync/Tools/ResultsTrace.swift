import ContactSyncCore
import FoundationEssentials

/// `contact-sync results trace <external_id>`: every result and dead letter of
/// one contact, in order. It reads only the partition that the contact's key
/// maps to (results are keyed by `external_id`; dead letters by the input
/// record's key, which producers should make the `external_id`), from `since` on.
public enum ResultsTrace {
    public struct Options: Sendable {
        public var externalID: String
        public var since: Timestamp
        /// Read every partition (when the topics are not keyed by external_id).
        public var allPartitions = false
        public var json = false

        public init(externalID: String, since: Timestamp, allPartitions: Bool = false, json: Bool = false) {
            self.externalID = externalID
            self.since = since
            self.allPartitions = allPartitions
            self.json = json
        }
    }

    /// One line of the trace.
    struct Entry {
        var decidedAt: String
        var line: String
    }

    /// Returns the exit code: 0 when something was found, 3 when nothing was.
    public static func run(
        configuration: ContactSyncConfiguration, options: Options, write: @escaping @Sendable (String) -> Void,
        warn: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        do {
            let entries = try await DedicatedThread.run(name: "contact-sync-tool") { try trace(configuration, options, warn) }
            for entry in entries.sorted(by: { $0.decidedAt < $1.decidedAt }) { write(entry.line + "\n") }
            if entries.isEmpty {
                warn("no result or dead letter for \(options.externalID) since \(options.since.rfc3339Millis)")
                return ToolExit.partial
            }
            return ToolExit.ok
        } catch {
            warn("contact-sync results trace: \(error)")
            return ToolExit.failure
        }
    }

    private static func trace(
        _ configuration: ContactSyncConfiguration, _ options: Options, _ warn: @Sendable (String) -> Void
    ) throws -> [Entry] {
        let partitioner = configuration.kafka.passthrough["partitioner"] ?? "consistent_random"
        let key = Array(options.externalID.utf8)
        var entries: [Entry] = []
        let progress = Progress()
        for (topic, isResult) in [(configuration.kafka.resultTopic, true), (configuration.kafka.deadLetterTopic, false)] {
            let reader = try PartitionReader(kafka: configuration.kafka, clientID: "results-trace")
            defer { reader.close() }
            let all = try reader.partitions(of: topic)
            let mapped = RDKafkaPartitioner.partition(of: key, count: Int32(all.count), partitioner: partitioner)
            let chosen = options.allPartitions || mapped == nil ? all : all.filter { $0.partition == mapped }
            let bounds = try reader.bounds(chosen, since: options.since).filter { $0.start < $0.end }
            guard !bounds.isEmpty else { continue }
            try reader.assign(bounds.map { ($0.partition, $0.start) })
            // Until every partition says it has nothing more (records written
            // meanwhile may be included; the end offsets asked above only tell
            // whether a partition has anything to read at all).
            var remaining = Set(bounds.map(\.partition.partition))
            var scanned = 0
            var misplaced = 0
            var idle = 0
            while !remaining.isEmpty {
                let read = try reader.read(timeoutMs: 500)
                guard case .record(let record) = read else {
                    if case .end(let partition) = read {
                        remaining.remove(partition)
                        idle = 0
                    } else {
                        idle += 1
                    }
                    if idle > 20 { throw KafkaError("\(topic) stopped answering before its end") }
                    continue
                }
                idle = 0
                scanned += 1
                progress.show("\(topic): scanned \(scanned) records")
                if !options.allPartitions, let recordKey = record.key,
                    RDKafkaPartitioner.partition(of: recordKey, count: Int32(all.count), partitioner: partitioner) != record.partition
                {
                    misplaced += 1
                }
                guard let view = JSONObjectView(record.value), view.string("external_id") == options.externalID else { continue }
                if isResult, record.key != key { misplaced += 1 }
                entries.append(isResult ? resultEntry(view, record, json: options.json) : deadLetterEntry(view, record, json: options.json))
            }
            progress.finish()
            if misplaced > 0 {
                warn(
                    "\(topic): \(misplaced) of \(scanned) records read are not keyed the way trace expects (by external_id, \(partitioner) partitioner); records of \(options.externalID) may be in other partitions: run again with --all-partitions")
            }
        }
        return entries
    }

    private static func resultEntry(_ view: JSONObjectView, _ record: KafkaRecord, json: Bool) -> Entry {
        let decidedAt = view.string("decided_at") ?? ""
        if json { return Entry(decidedAt: decidedAt, line: String(decoding: record.value, as: UTF8.self)) }
        var line = "\(decidedAt)  result       \(view.string("status") ?? "?")"
        if let reason = view.string("reason") { line += " (\(reason))" }
        line += "  events \(view.strings("event_ids").joined(separator: ","))"
        let sources = view.objects("sources").map { "\($0.string("topic") ?? "?")/\($0.int("partition") ?? -1)/\($0.int("offset") ?? -1)" }
        line += "  from \(sources.joined(separator: " "))"
        if let status = view.int("http_status") { line += "  http \(status)" }
        if let error = view.object("error") { line += "  error \(error.string("code") ?? "?"): \(error.string("message") ?? "")" }
        line += "  [\(record.topic)/\(record.partition)/\(record.offset)]"
        return Entry(decidedAt: decidedAt, line: line)
    }

    /// The dead letter without the original key and value (they may hold personal data).
    private static func deadLetterEntry(_ view: JSONObjectView, _ record: KafkaRecord, json: Bool) -> Entry {
        let decidedAt = view.string("decided_at") ?? ""
        let source = view.object("source")
        let from = "\(source?.string("topic") ?? "?")/\(source?.int("partition") ?? -1)/\(source?.int("offset") ?? -1)"
        let error = view.object("error")
        if json {
            var json = JSONWriter(capacity: 256)
            json.beginObject()
            json.key("kind")
            json.string("dead_letter")
            json.key("decided_at")
            json.string(decidedAt)
            json.key("external_id")
            json.string(view.string("external_id"))
            json.key("source")
            json.string(from)
            json.key("error_code")
            json.string(error?.string("code"))
            json.key("error_message")
            json.string(error?.string("message"))
            json.key("event_ids")
            json.beginArray()
            for id in view.strings("event_ids") { json.string(id) }
            json.endArray()
            json.key("value_size")
            json.number(view.int("value_size"))
            json.endObject()
            return Entry(decidedAt: decidedAt, line: String(decoding: json.bytes, as: UTF8.self))
        }
        var line = "\(decidedAt)  dead letter  \(error?.string("code") ?? "?"): \(error?.string("message") ?? "")"
        line += "  events \(view.strings("event_ids").joined(separator: ","))  from \(from)"
        if let size = view.int("value_size") { line += "  value \(size) bytes" }
        line += "  [\(record.topic)/\(record.partition)/\(record.offset)]"
        return Entry(decidedAt: decidedAt, line: line)
    }
}
