import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Logging
import Synchronization
import Testing

/// Bookbag's 429s, whatever their `Retry-After` says and whichever endpoint
/// answers them: the service survives, waits no longer than the configured
/// maximum, never calls before the time it was given, and still stops promptly.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct RetryAfterTests {
    /// A proxy answering every call with a date in the year 9999 used to crash
    /// the service (arithmetic overflow) at its first attribute list.
    @Test func aRetryAfterInTheYear9999OnTheAttributeListIsSurvivedAndSyncingResumes() async throws {
        let topics = TestTopics("ra9999")
        try await topics.create(partitions: 1)
        var faults = SimFaults(rateLimitPerSecond: 0, retryAfterHeader: "Fri, 31 Dec 9999 23:59:59 GMT")
        faults.retryAfterSeconds = 0
        try await withBookbagSim { sim in
            sim.state.setFaults(faults)
            try await produce(topics.profile, [("y9999-1", profileEvent("y1", "y9999-1", at: "2026-11-24T10:00:00Z", fields: #""name":"Far""#))])
            let service = try ServiceProcess(
                environment: serviceEnvironment(
                    topics: topics, simURL: sim.baseURL, opsPort: freePort(),
                    extra: ["BOOKBAG_API_KEY": testKey, "BOOKBAG_MAX_RETRY_AFTER_MS": "1000"]))

            let answeredTwice = await eventually(timeout: .seconds(60)) { sim.state.stats().rateLimited >= 3 }
            #expect(answeredTwice, "the service kept calling after 429s naming the year 9999")
            #expect(service.process.isRunning, "still running after the 429s; it said: \(service.output.split(separator: "\n").filter { $0.contains("failure") || $0.contains("rror") }.prefix(5))")
            #expect(sim.state.stats().byRouteStatus["GET custom-attributes 429"].map { $0 >= 1 } ?? false,
                "the attribute list was the call answered: \(sim.state.stats().byRouteStatus)")

            sim.state.setFaults(.none)
            #expect(await eventually(timeout: .seconds(60)) { sim.state.contact("y9999-1")?.name == "Far" }, "syncs once the 429s stop")
            service.signal(SIGTERM)
            #expect(await service.waitForExit() == 0)
        }
    }

    /// With Bookbag at 4 requests/s, Retry-After 1 s, and new attributes in
    /// every batch, no call of any kind (list, define, upsert) arrives before
    /// the instant the latest 429 named.
    @Test func noCallOfAnyKindArrivesBeforeItsRetryAfter() async throws {
        let topics = TestTopics("raall")
        try await topics.create(partitions: 1)
        var logger = Logger(label: "sim")
        logger.logLevel = .critical
        try await withBookbagSim(startedBy: { try await BookbagSimServer.start(
            configuration: BookbagSimConfiguration(
                apiKey: testKey, faults: SimFaults(rateLimitPerSecond: 4, retryAfterSeconds: 1)),
            logger: logger) }) { sim in
            // Every 20 events bring a new custom attribute, so definitions keep being
            // made while upserts are being paced.
            let prefix = "ra\(UInt16.random(in: 0...9999))-"
            let events = (0..<400).map { index in
                (key: Optional("\(prefix)\(index)"), value: profileEvent(
                    "\(prefix)e\(index)", "\(prefix)\(index)", at: "2026-11-24T10:00:00Z",
                    fields: #""custom_attributes":{"tier_\#(index / 20)":"gold"}"#))
            }
            try await produce(topics.profile, events)
            let service = try RunningService(topics: topics, sim: sim) { $0.batching.maxEvents = 40 }
            let results = try await readUntilAccounted(topics.results, records: events.count, timeout: .seconds(180))
            try await service.stop()

            let stats = sim.state.stats()
            print("retry-after test: \(stats.requests) requests, \(stats.rateLimited) answered 429, \(stats.earlyRequests) early, \(stats.attributeCreates) attributes defined; \(stats.byRouteStatus)")
            #expect(stats.attributeCreates == 20)
            #expect(stats.rateLimited > 0, "the limit was reached")
            #expect((stats.byRouteStatus["POST custom-attributes 429"] ?? 0) + (stats.byRouteStatus["GET custom-attributes 429"] ?? 0) > 0,
                "attribute calls were rate limited too")
            #expect(stats.earlyRequests == 0, "no request before its Retry-After elapsed")
            #expect(results.count == events.count)
            #expect(results.allSatisfy { $0.status == "synced" }, "\(results.filter { $0.status != "synced" }.prefix(3).map(\.raw))")
            #expect(sim.state.contact("\(prefix)399")?.customAttributes["tier_19"] != nil)
        }
    }

    /// A 429 asking for a long wait must not hold up a shutdown: the wait ends
    /// at the shutdown deadline (1 s here), well before the 60 s it was clamped to.
    @Test func shutdownEndsALongRetryAfterWait() async throws {
        let topics = TestTopics("rastop")
        try await topics.create(partitions: 1)
        try await withBookbagSim { sim in
            let service = try RunningService(topics: topics, sim: sim) { $0.shutdownTimeout = .seconds(1) }
            try await produce(topics.profile, [("stop-1", profileEvent("s1", "stop-1", at: "2026-11-24T10:00:00Z", fields: #""name":"One""#))])
            #expect(await eventually(timeout: .seconds(60)) { sim.state.contact("stop-1")?.name == "One" })

            sim.state.setFaults(SimFaults(rateLimitPerSecond: 0, retryAfterSeconds: 3600))
            try await produce(topics.profile, [("stop-2", profileEvent("s2", "stop-2", at: "2026-11-24T10:00:01Z", fields: #""name":"Two""#))])
            #expect(await eventually(timeout: .seconds(60)) { sim.state.stats().rateLimited >= 1 }, "the upsert was answered 429")

            let stopped = DoneFlag()
            let stopping = Task {
                try await service.stop()
                stopped.set()
            }
            #expect(await eventually(timeout: .seconds(20)) { stopped.isSet },
                "shutdown finished within 20 s although Bookbag asked for an hour")
            if stopped.isSet { try await stopping.value }
            #expect(sim.state.contact("stop-2") == nil, "nothing was sent after the 429")
        }
    }
}

/// Set once by a task, read by the test.
private final class DoneFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

@Suite struct MaxRetryAfterSettingTests {
    private let required = ["BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": testKey]

    @Test func defaultsToSixtySecondsAndCanBeRaised() throws {
        #expect(try ConfigurationReader.read(environment: required).bookbag.maxRetryAfter == .seconds(60))
        let raised = required.merging(["BOOKBAG_MAX_RETRY_AFTER_MS": "3600000"]) { _, new in new }
        #expect(try ConfigurationReader.read(environment: raised).bookbag.maxRetryAfter == .seconds(3600))
    }

    @Test(arguments: ["999", "86400001", "-1", "soon"])
    func refusesAValueOutsideOneSecondToOneDay(value: String) {
        let environment = required.merging(["BOOKBAG_MAX_RETRY_AFTER_MS": value]) { _, new in new }
        #expect(throws: ConfigurationReader.ConfigurationError.self) { try ConfigurationReader.read(environment: environment) }
    }
}
