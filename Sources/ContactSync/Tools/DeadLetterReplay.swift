import ContactSyncCore
import FoundationEssentials
import Logging
import Synchronization

/// `contact-sync dead-letters replay`: produces dead-lettered records back to
/// their source topics and partitions, exactly as received (key, value and
/// headers), after the cause was fixed. Its progress is the committed offset of
/// a consumer group of its own (one per filter), committed only behind
/// acknowledged records, so an interrupted replay resumes where it stopped.
public enum DeadLetterReplay {
    public struct Options: Sendable {
        public var filter = DeadLetterFilter()
        /// Replay at most this many (nil: all that match).
        public var limit: Int?
        public var dryRun = false
        /// The progress group; nil: `<KAFKA_GROUP_ID>.dead-letter-replay.<filter fingerprint>`.
        public var group: String?
        public var sampleSize = 5

        public init(filter: DeadLetterFilter = DeadLetterFilter(), limit: Int? = nil, dryRun: Bool = false, group: String? = nil) {
            self.filter = filter
            self.limit = limit
            self.dryRun = dryRun
            self.group = group
        }
    }

    /// What a run did (printed as the summary).
    struct Summary {
        var read = 0
        var replayed = 0
        var skipped = 0
        var refused: [String] = []
        var byCode: [String: Int] = [:]
        var samples: [String] = []
        var interrupted = false
    }

    /// Set by SIGINT/SIGTERM: the replay stops after the record in hand, saving its progress.
    public static let interruption = Atomic<Bool>(false)

    public static func run(
        configuration: ContactSyncConfiguration, options: Options, write: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        let group = options.group ?? "\(configuration.kafka.groupID).dead-letter-replay.\(options.filter.fingerprint)"
        do {
            let summary = try await DedicatedThread.run(name: "contact-sync-tool") { try replay(configuration, options, group: group) }
            report(summary, options: options, group: group, topic: configuration.kafka.deadLetterTopic, write: write)
            if summary.interrupted { return ToolExit.interrupted }
            return summary.refused.isEmpty ? ToolExit.ok : ToolExit.partial
        } catch {
            write("contact-sync dead-letters replay: \(error)\n")
            return ToolExit.failure
        }
    }

    private static func replay(_ configuration: ContactSyncConfiguration, _ options: Options, group: String) throws -> Summary {
        var logger = Logger(label: "dead-letters-replay")
        logger.logLevel = .critical
        let topic = configuration.kafka.deadLetterTopic
        var properties = KafkaProperties.consumer(configuration.kafka).properties
        properties["group.id"] = group
        properties["client.id"] = "contact-sync-replay"
        properties["enable.partition.eof"] = "true"
        let consumer = try RDKafkaConsumerHandle(
            config: RDKafkaConfig(properties), callbacks: RDKafkaCallbacks(logger: logger, onError: { _, _ in }))
        defer { consumer.close() }
        let partitionCount = try consumer.partitionCounts(of: [topic], timeoutMs: 10_000)[topic]
        guard let partitionCount else { throw KafkaError("topic \(topic) does not exist") }
        try consumer.subscribe([topic])

        let failures = Mutex<[String]>([])
        var producerProperties = KafkaProperties.producer(configuration.kafka).properties
        producerProperties["client.id"] = "contact-sync-replay"
        producerProperties["message.timeout.ms"] = "30000"
        let producer = try options.dryRun
            ? nil
            : RDKafkaProducerHandle(
                config: RDKafkaConfig(producerProperties),
                callbacks: RDKafkaCallbacks(
                    logger: logger, onError: { _, _ in },
                    onDelivery: { _, failure in if let failure { failures.withLock { $0.append(failure.error) } } }))

        var summary = Summary()
        var ended = Set<Int32>()
        var next: [TopicPartition: Int64] = [:]  // the offsets to commit: past every record handled
        var sinceCommit = 0
        var idle = 0
        let progress = Progress()
        func commit() throws {
            guard !options.dryRun, !next.isEmpty else { return }
            if let producer {
                let left = producer.flush(timeoutMs: 60_000)
                let failed = failures.withLock { $0 }
                guard left == 0, failed.isEmpty else {
                    throw KafkaError("\(left) replayed record(s) not acknowledged\(failed.first.map { " (\($0))" } ?? ""); progress not saved past them, run again")
                }
            }
            try consumer.commit(next.map { ($0.key, $0.value) }, wait: true)
            sinceCommit = 0
        }
        while ended.count < partitionCount {
            if interruption.load(ordering: .relaxed) {
                summary.interrupted = true
                break
            }
            if let limit = options.limit, summary.replayed >= limit { break }
            switch consumer.poll(timeoutMs: 500) {
            case .record(let record):
                idle = 0
                summary.read += 1
                next[record.topicPartition] = record.offset + 1
                handle(record, options: options, producer: producer, summary: &summary)
                sinceCommit += 1
                if sinceCommit >= 500 { try commit() }
                progress.show("read \(summary.read) dead letters, \(options.dryRun ? "would replay" : "replayed") \(summary.replayed)")
            case .endOfPartition(let partition, _):
                ended.insert(partition.partition)
            case .nothing:
                idle += 1
                // No assignment within a minute (another replay in the same group holds it?).
                if idle > 120 { throw KafkaError("no dead letters arrived for 60 s; is another replay running in group \(group)?") }
            case .error(let message):
                throw KafkaError("reading \(topic): \(message)")
            }
        }
        progress.finish()
        try commit()
        return summary
    }

    private static func handle(
        _ record: KafkaRecord, options: Options, producer: RDKafkaProducerHandle?, summary: inout Summary
    ) {
        guard let letter = JSONObjectView(record.value), let source = letter.object("source"),
            let sourceTopic = source.string("topic"), let partition = source.int("partition")
        else {
            summary.refused.append("\(record.topic)/\(record.partition)/\(record.offset): not a dead letter")
            return
        }
        let code = letter.object("error")?.string("code") ?? "unknown"
        let decidedAt = letter.string("decided_at").flatMap(Timestamp.parseRFC3339)
        guard options.filter.matches(code: code, decidedAt: decidedAt, topic: sourceTopic) else {
            summary.skipped += 1
            return
        }
        let origin = "\(sourceTopic)/\(partition)/\(source.int("offset") ?? -1)"
        guard letter.bool("truncated") == false else {
            summary.refused.append("\(origin) (\(code)): truncated, the dead letter holds only a prefix of the record")
            return
        }
        summary.byCode[code, default: 0] += 1
        if summary.samples.count < options.sampleSize {
            summary.samples.append("\(origin)  \(code)  decided \(letter.string("decided_at") ?? "?")  value \(letter.int("value_size").map { "\($0) bytes" } ?? "null")")
        }
        summary.replayed += 1
        guard let producer else { return }
        let key = letter.string("key_base64").flatMap { Base64.decode($0.utf8) }
        let value = letter.string("value_base64").flatMap { Base64.decode($0.utf8) }
        let headers = letter.objects("headers").map {
            RecordHeader(name: $0.string("name") ?? "", value: $0.string("value_base64").flatMap { Base64.decode($0.utf8) })
        }
        while true {
            switch producer.produce(topic: sourceTopic, partition: Int32(partition), key: key, value: value, headers: headers, token: nil) {
            case .queued: return
            case .queueFull: producer.poll(timeoutMs: 100)
            case .tooLarge, .failed:
                summary.replayed -= 1
                summary.refused.append("\(origin) (\(code)): the producer refused it")
                return
            }
        }
    }

    private static func report(_ summary: Summary, options: Options, group: String, topic: String, write: @Sendable (String) -> Void) {
        var lines: [String] = []
        if options.dryRun {
            lines.append("dry run: \(summary.replayed) dead letter(s) of \(summary.read) read would be replayed (nothing produced, progress not saved)")
            for (code, count) in summary.byCode.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("  \(code): \(count)")
            }
            if !summary.samples.isEmpty { lines.append("sample:") }
            lines += summary.samples.map { "  \($0)" }
        } else {
            lines.append("replayed \(summary.replayed) record(s) of \(summary.read) dead letter(s) read from \(topic); \(summary.skipped) did not match the filter")
            for (code, count) in summary.byCode.sorted(by: { $0.key < $1.key }) { lines.append("  \(code): \(count)") }
            lines.append("progress saved in consumer group \(group)\(summary.interrupted ? " (interrupted: run the same command again to go on)" : "")")
        }
        if !summary.refused.isEmpty {
            lines.append("refused \(summary.refused.count):")
            lines += summary.refused.map { "  \($0)" }
        }
        write(lines.joined(separator: "\n") + "\n")
    }
}
