import ArgumentParser
import ContactSync
import ContactSyncCore
import Foundation
import Workload

/// Produces synthetic store traffic (contracts section 1) into Kafka, for the
/// demo, the benchmark and manual tests.
@main
struct StoreTraffic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-traffic", abstract: "Synthetic store traffic for the demo and the benchmark.",
        subcommands: [Produce.self, Webhook.self, Watch.self, Consume.self], defaultSubcommand: Produce.self)
}

struct Produce: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Produce profile_changed and login events into Kafka.")

    @Option(help: "Kafka bootstrap servers") var brokers = "127.0.0.1:9092"
    @Option(help: "records to produce (bad ones included)") var events = 10_000
    @Option(help: "distinct customers") var customers = 2_000
    @Option(help: "share of login events") var loginShare = 0.8
    @Option(help: "share of bad records") var badShare = 0.005
    @Option(help: "Zipf exponent of customer activity (0 = uniform)") var zipf = 1.0
    @Option(help: "share of out-of-order events") var outOfOrder = 0.05
    @Option(help: "random seed") var seed: UInt64 = 42
    @Option(help: "prefix of external_ids and event_ids") var idPrefix = "cust-"
    @Option(help: "profile_changed topic") var profileTopic = "store.customer.profile-changed"
    @Option(help: "login topic") var loginTopic = "store.customer.login"
    @Option(help: "create the topics first with this many partitions (0 = do not)") var createTopics: Int32 = 0
    @Option(help: "extra topics to create with --create-topics (comma-separated)") var alsoCreate = ""
    @Option(help: "compacted topics to create with --create-topics, e.g. the clock topic (comma-separated)")
    var alsoCreateCompacted = ""
    @Option(help: "events per second (0 = as fast as possible)") var rate = 0.0

    func run() throws {
        let producer = try KafkaTrafficProducer(brokers: brokers)
        if createTopics > 0 {
            let extra = alsoCreate.split(separator: ",").map(String.init)
            try producer.createTopics([profileTopic, loginTopic] + extra, partitions: createTopics)
            let compacted = alsoCreateCompacted.split(separator: ",").map(String.init)
            if !compacted.isEmpty {
                try producer.createTopics(compacted, partitions: createTopics, configs: ["cleanup.policy": "compact"])
            }
        }
        let spec = WorkloadSpec(
            events: events, customers: customers, loginShare: loginShare, badRecordShare: badShare,
            zipfExponent: zipf, outOfOrderShare: outOfOrder, seed: seed, idPrefix: idPrefix)
        let started = Date()
        var produced = 0
        var bad = 0
        for record in WorkloadGenerator(spec: spec) {
            let topic = record.topic == .login ? loginTopic : profileTopic
            producer.send(topic: topic, key: record.key, value: record.value)
            produced += 1
            if record.isBad { bad += 1 }
            if rate > 0 {
                let due = started.addingTimeInterval(Double(produced) / rate)
                let wait = due.timeIntervalSinceNow
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
        }
        let left = producer.flush(timeoutMs: 60_000)
        let seconds = Date().timeIntervalSince(started)
        print("store-traffic: produced \(produced) records (\(bad) bad) in \(String(format: "%.2f", seconds)) s; \(left) undelivered")
        if left > 0 { throw ExitCode(1) }
    }
}

/// Reads the result topic until every produced record is accounted for, showing
/// progress, then prints the summary.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the result topic until N input records are accounted for; print a summary.")

    @Option(help: "Kafka bootstrap servers") var brokers = "127.0.0.1:9092"
    @Option(help: "result topic") var resultTopic = "bookbag.contact-sync.results"
    @Option(help: "input records to wait for") var expect: Int
    @Option(help: "give up after this many seconds") var timeout = 300.0

    func run() throws {
        // It times the service: it should see results as soon as the broker has
        // them. With librdkafka's 500 ms, Tansu answered a fetch that found
        // nothing new 140 to 220 ms later although results had come meanwhile
        // (five such gaps per 200k benchmark run); at 10 ms none was over 71 ms.
        let reader = try KafkaTopicReader(brokers: brokers, topics: [resultTopic], fetchWaitMs: 10)
        defer { reader.close() }
        var tally = ResultWatchTally(expectedEvents: expect)
        var lastPrint = Date.distantPast
        let started = Date()
        var reached10: Date?
        var reached90: Date?
        reader.readValues(timeout: .seconds(timeout), { tally.add($0) }) {
            let accounted = tally.accountedEvents
            if reached10 == nil, accounted * 10 >= expect { reached10 = Date() }
            if reached90 == nil, accounted * 10 >= expect * 9 { reached90 = Date() }
            if Date().timeIntervalSince(lastPrint) >= 1 {
                lastPrint = Date()
                print("  progress: \(accounted)/\(expect) records have results; \(tally.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
            }
            return accounted >= expect
        }
        let seconds = Date().timeIntervalSince(started)
        print("""
            summary:
              events in:                 \(expect)
              events with a result:      \(tally.accountedEvents)
              result records:            \(tally.resultCount)
              contacts synced:           \(tally.syncedContacts.count)  (results: \(tally.statusCounts["synced"] ?? 0))
              contacts unchanged:        \(tally.statusCounts["unchanged"] ?? 0) results
              rejected:                  \(tally.statusCounts["rejected"] ?? 0) results
              failed:                    \(tally.statusCounts["failed"] ?? 0) results
              time to all results:       \(String(format: "%.1f", seconds)) s
            """)
        if let reached10, let reached90, reached90 > reached10 {
            let steady = Double(expect) * 0.8 / reached90.timeIntervalSince(reached10)
            print("watch: steady_events_per_second=\(Int(steady)) total_seconds=\(String(format: "%.2f", seconds))")
        }
        if tally.accountedEvents < expect { throw ExitCode(1) }
    }
}

/// The baseline: how fast librdkafka alone (through the service's Kafka layer,
/// payloads copied out) consumes the same records.
struct Consume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Consume N records and report the rate (baseline).")

    @Option(help: "Kafka bootstrap servers") var brokers = "127.0.0.1:9092"
    @Option(help: "topics, comma-separated") var topics = "store.customer.profile-changed,store.customer.login"
    @Option(help: "records to consume") var expect: Int

    func run() throws {
        let reader = try KafkaTopicReader(brokers: brokers, topics: topics.split(separator: ",").map(String.init))
        defer { reader.close() }
        var first: Date?
        var bytes = 0
        var seen = 0
        let records = reader.read(timeout: .seconds(300)) { records in
            if first == nil, !records.isEmpty { first = Date() }
            for record in records[seen...] { bytes += record.valueByteCount }
            seen = records.count
            return records.count >= expect
        }
        let seconds = Date().timeIntervalSince(first ?? Date())
        print("consume: \(records.count) records, \(bytes) bytes in \(String(format: "%.2f", seconds)) s = \(Int(Double(records.count) / max(seconds, 0.001))) records/s")
        if records.count < expect { throw ExitCode(1) }
    }
}
