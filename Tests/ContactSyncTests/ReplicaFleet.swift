import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Synchronization
import Testing
import Workload

/// One contact-sync replica run as a child process, life after life: every life
/// uses the same clock store (CLOCK_STORE_PATH), as a restarted pod keeps its disk.
final class Replica {
    let name: String
    let storePath: String
    private let topics: TestTopics
    private let simURL: String
    private let extra: [String: String]
    private(set) var process: ServiceProcess?
    private(set) var lives = 0
    private var opsPort = 0

    init(_ name: String, topics: TestTopics, sim: RunningBookbagSim, extra: [String: String] = [:]) {
        self.name = name
        self.topics = topics
        storePath = topics.storePath(name)
        simURL = sim.baseURL
        self.extra = extra
    }

    /// Starts a new life (a fresh ops port, the same store).
    func start() throws {
        precondition(process == nil, "\(name) is already running")
        var settings = ["BOOKBAG_API_KEY": testKey, "CLOCK_STORE_PATH": storePath]
        settings.merge(extra, uniquingKeysWith: { _, new in new })
        opsPort = freePort()
        process = try ServiceProcess(environment: serviceEnvironment(topics: topics, simURL: simURL, opsPort: opsPort, extra: settings))
        lives += 1
    }

    /// Sends `signal` and waits for the exit; returns the exit code (nil if it did not end).
    /// The output of a life that ended badly is kept on standard error for diagnosis.
    @discardableResult
    func stop(_ signal: Int32) async -> Int32? {
        guard let process else { return nil }
        if signal == SIGTERM {
            // A graceful stop needs a process that has started: a signal that lands
            // before its main runs takes the default action, whatever the program.
            // The ops endpoint answers once the service group runs.
            _ = await eventually(timeout: .seconds(30)) { await httpGet("http://127.0.0.1:\(opsPort)/healthz") != nil }
        }
        let sent = ContinuousClock.now
        process.signal(signal)
        let status = await process.waitForExit()
        progress("\(name) life \(lives): signal \(signal), exit \(status.map(String.init) ?? "none") after \(ContinuousClock.now - sent)")
        if signal == SIGTERM, status != 0 {
            progress("\(name) life \(lives) ended with \(status.map(String.init) ?? "no exit") on SIGTERM; its output:\n\(process.output.suffix(4_000))")
        }
        keepOutput(of: process)
        self.process = nil
        return status
    }

    /// With REPLICA_LOG_DIR set, each life's whole output is kept there for diagnosis.
    private func keepOutput(of process: ServiceProcess) {
        guard let folder = ProcessInfo.processInfo.environment["REPLICA_LOG_DIR"] else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? process.output.write(toFile: "\(folder)/\(name)-life\(lives).log", atomically: true, encoding: .utf8)
    }

    /// Removes the local store: the SQLite file and its siblings.
    func deleteStore() {
        for suffix in ["", "-wal", "-shm", ".lock"] {
            try? FileManager.default.removeItem(atPath: storePath + suffix)
        }
    }

    var storeExists: Bool { FileManager.default.fileExists(atPath: storePath) }

    /// A life was started and has ended without being stopped.
    var hasDied: Bool { process.map { !$0.process.isRunning } ?? false }

    deinit {
        process = nil  // kills a life still running
        deleteStore()
    }
}

/// Reads the result topic from its start for the whole test, in the background,
/// so a test can act when a number of records have results and read them all at the end.
final class ResultWatcher: Sendable {
    private struct State: Sendable {
        var results: [ResultView] = []
        var accounted = Set<String>()
        var stopRequested = false
        var finished = false
    }

    private let state = Mutex(State())

    init(topic: String) throws {
        let reader = try KafkaTopicReader(brokers: TestBroker.address, topics: [topic])
        let thread = Thread { [self] in
            var seen = 0
            _ = reader.read(timeout: .seconds(900)) { all in
                let fresh = all[seen...].map { ResultView(json: parseJSON($0.value)) }
                seen = all.count
                return state.withLock { state in
                    for result in fresh {
                        state.results.append(result)
                        for source in result.sources { state.accounted.insert("\(source.0)/\(source.1)/\(source.2)") }
                    }
                    return state.stopRequested
                }
            }
            reader.close()
            state.withLock { $0.finished = true }
        }
        thread.start()
    }

    /// Input records named in some result's sources so far.
    var accounted: Int { state.withLock { $0.accounted.count } }

    /// Stops reading and returns every result seen.
    func finish() async -> [ResultView] {
        state.withLock { $0.stopRequested = true }
        _ = await eventually(timeout: .seconds(10)) { state.withLock { $0.finished } }
        return state.withLock { $0.results }
    }
}

/// Waits until `records` input records have results; gives up at once when one
/// of `running` has exited by itself (showing its output), instead of waiting out the timeout.
func waitForResults(_ watcher: ResultWatcher, _ records: Int, running: [Replica], timeout: Duration = .seconds(60)) async -> Bool {
    _ = await eventually(timeout: timeout) { watcher.accounted >= records || running.contains(where: \.hasDied) }
    for replica in running where replica.hasDied {
        progress("\(replica.name) life \(replica.lives) exited by itself; its output:\n\(replica.process?.output.suffix(4_000) ?? "")")
    }
    return watcher.accounted >= records
}

extension ProducedTraffic {
    /// The records of `spec` and the state they lead to, not yet produced.
    static func plan(_ spec: WorkloadSpec) -> ProducedTraffic {
        var traffic = ProducedTraffic()
        for record in WorkloadGenerator(spec: spec) {
            traffic.expected.apply(record)
            traffic.records.append(record)
        }
        return traffic
    }

    /// Adds later traffic (produced after this one) to the records and the oracle.
    mutating func append(_ later: ProducedTraffic) {
        for record in later.records {
            expected.apply(record)
            records.append(record)
        }
    }

    /// Produces the records in log order, `chunk` at a time with a pause between
    /// chunks, as traffic arriving while the service runs.
    func produceGradually(into topics: TestTopics, chunk: Int = 2_000, pause: Duration = .milliseconds(300)) async throws {
        let (login, profile) = (topics.login, topics.profile)
        let records = records
        let undelivered = try await offPool {
            let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
            for start in stride(from: 0, to: records.count, by: chunk) {
                for record in records[start..<min(start + chunk, records.count)] {
                    producer.send(topic: record.topic == .login ? login : profile, key: record.key, value: record.value)
                }
                _ = producer.flush()
                Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
            }
            return producer.flush()
        }
        #expect(undelivered == 0, "traffic not delivered")
    }

    /// Good events whose occurred_at lies before an earlier event (in log order) of
    /// the same customer on the same topic, and the largest such gap: how much the
    /// traffic can test the latest-wins rule.
    var lateness: (events: Int, largest: Duration) {
        var latest: [String: Timestamp] = [:]
        var late = 0
        var largest: Int64 = 0
        for record in records {
            guard let event = record.event, let key = record.customerOnTopic else { continue }
            if let previous = latest[key], event.occurredAt < previous {
                late += 1
                largest = max(largest, previous.nanosecondsSinceEpoch - event.occurredAt.nanosecondsSinceEpoch)
            }
            latest[key] = max(latest[key] ?? event.occurredAt, event.occurredAt)
        }
        return (late, .nanoseconds(largest))
    }
}

extension GeneratedRecord {
    /// Customer and topic of a good record: the fields of the two topics never overlap.
    var customerOnTopic: String? { event.map { "\(topic)/\($0.externalID)" } }
}

/// The promise of issue 12: every good event has a result, none failed, and
/// Bookbag holds exactly the latest value per field per contact (`mismatches`
/// decides; `fieldDifferences` names the fields for the message).
func expectExactlyLatest(_ traffic: ProducedTraffic, results: [ResultView], sim: RunningBookbagSim, _ label: String) {
    let missing = traffic.goodEventIDs.subtracting(results.flatMap(\.eventIDs))
    let failed = results.filter { $0.status == "failed" }
    let exact = mismatches(traffic.expected.contacts, in: sim.state).isEmpty
    let differences = exact ? [] : fieldDifferences(traffic.expected.contacts, in: sim.state)
    let (late, largest) = traffic.lateness
    let summary =
        "\(label): \(traffic.records.count) records (\(late) older than an earlier event of their customer, by up to \(largest)), "
        + "\(results.count) results; \(missing.count) events without a result, \(failed.count) failed, "
        + "\(differences.count) fields differ from the latest event" + (exact ? "" : ": \(differences.prefix(6).joined(separator: "; "))")
    progress(summary)
    if !exact, let first = differences.first, let id = first.split(separator: ":").first.map(String.init) {
        // The decisions for the first contact that differs, to see where it went wrong.
        for result in results where result.externalID == id { progress("  \(id): \(result.raw)") }
        for record in traffic.records where record.externalID == id {
            guard let event = record.event else { continue }
            progress("  event \(record.eventID ?? "?") \(record.topic) occurred_at \(event.occurredAt): \(String(decoding: record.value, as: UTF8.self))")
        }
        for upsert in sim.state.upsertLog(for: id) {
            progress("  upsert #\(upsert.request) at \(upsert.receivedAt) status \(upsert.status) stored \(upsert.stored): \(upsert.entryJSON)")
        }
    }
    let everyEventHasAResult = missing.isEmpty
    let nothingFailed = failed.isEmpty
    #expect(everyEventHasAResult, "\(missing.count) events without a result, e.g. \(missing.prefix(5))")
    #expect(nothingFailed, "\(failed.count) results failed, e.g. \(failed.prefix(2).map(\.raw))")
    #expect(exact, "\(differences.count) fields differ from the latest event: \(differences.prefix(6).joined(separator: "; "))")
}

/// One line per field whose stored value is not the latest event's, e.g.
/// `cust-12: last_login_at 2026-11-24T00:47:37.001Z, latest 2026-11-24T00:47:56.000Z`.
func fieldDifferences(_ expected: [String: ExpectedContact], in state: BookbagSimState) -> [String] {
    var lines: [String] = []
    for (id, want) in expected.sorted(by: { $0.key < $1.key }) {
        guard let have = state.contact(id) else {
            lines.append("\(id): missing")
            continue
        }
        var pairs = [("email", have.email, want.email), ("name", have.name, want.name), ("phone", have.phonenumber, want.phone)]
        for name in Set(have.customAttributes.keys).union(want.customAttributes.keys).sorted() {
            pairs.append((name, have.customAttributes[name].map(describe), want.customAttributes[name].map(describe)))
        }
        for (field, stored, latest) in pairs where stored != latest {
            lines.append("\(id): \(field) \(stored ?? "none"), latest \(latest ?? "none")")
        }
    }
    return lines
}

private func describe(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): text
    case .number(let number): "\(number)"
    case .bool(let flag): "\(flag)"
    default: "\(value)"
    }
}

private func describe(_ value: ExpectedValue) -> String {
    switch value {
    case .string(let text): text
    case .number(let number): "\(number)"
    case .bool(let flag): "\(flag)"
    }
}
