import ArgumentParser
import ContactSync
import ContactSyncCore
import Foundation
import Workload

/// Produces synthetic store traffic (contracts section 1) into Kafka, for the
/// demo, the benchmark and manual tests.
@main
struct StoreTraffic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-traffic", abstract: "Produce synthetic profile_changed and login events into Kafka.")

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
    @Option(help: "events per second (0 = as fast as possible)") var rate = 0.0

    func run() throws {
        let producer = try KafkaTrafficProducer(brokers: brokers)
        if createTopics > 0 {
            let extra = alsoCreate.split(separator: ",").map(String.init)
            try producer.createTopics([profileTopic, loginTopic] + extra, partitions: createTopics)
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
