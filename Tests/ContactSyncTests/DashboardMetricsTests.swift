import BookbagSim
import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// The Grafana dashboard (docker/grafana/contact-sync.json) cannot be looked at
/// without a Docker engine, so its queries are held against what a running
/// service and a running intake really serve on `/metrics`: every
/// `contact_sync_*` series a panel queries is in the scrape, and every label a
/// panel groups by or names in its legend is on that series.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DashboardMetricsTests {
    @Test func everyPanelQueriesSeriesTheServiceAndTheIntakeServe() async throws {
        let queries = try DashboardQuery.load()
        let queried = Set(queries.flatMap(\.metrics))
        // A dashboard that could not be read would make every check below pass.
        #expect(queries.count >= 25 && queried.count >= 20, "read \(queries.count) queries naming \(queried.count) metrics")

        let topics = TestTopics("dashboard")
        try await topics.create(partitions: 2)
        try await withBookbagSim { sim in
            let intake = try await RunningIntake.start(topics: topics)
            let service = try RunningService(topics: topics, sim: sim)

            // Through Kafka: three contacts and a record that is not JSON (a dead letter).
            try await produce(topics.profile, [
                ("dash-1", profileEvent("dash-e1", "dash-1", at: "2026-11-24T10:00:00Z", fields: #""name":"One""#)),
                ("dash-2", profileEvent("dash-e2", "dash-2", at: "2026-11-24T10:00:00Z", fields: #""name":"Two""#)),
                ("dash-bad", "this is not JSON"),
            ])
            try await produce(topics.login, [("dash-1", loginEvent("dash-e3", "dash-1", at: "2026-11-24T10:00:01Z"))])
            // Through the intake: one signed delivery, and one with a signature no secret made.
            let delivered = await post(SignedDelivery(body: loginEvent("dash-e4", "dash-hook", at: "2026-11-24T10:00:02Z")), to: intake.url)
            #expect(delivered?.status == 202, "\(delivered?.text ?? "no answer")")
            var forged = SignedDelivery(body: loginEvent("dash-e5", "dash-forged", at: "2026-11-24T10:00:03Z"))
            forged.signature = "v1," + String(repeating: "A", count: 43) + "="
            #expect(await post(forged, to: intake.url)?.status == 401)
            let results = try await readRecords(topics.results, atLeast: 4)
            #expect(results.count >= 4, "results for dash-1, dash-2, dash-hook and the bad record")

            // One 429 from Bookbag, then it lets the call through: the rate-limit and retry series.
            sim.state.setFaults(SimFaults(rateLimitPerSecond: 0, retryAfterSeconds: 1))
            try await produce(topics.profile, [
                ("dash-3", profileEvent("dash-e6", "dash-3", at: "2026-11-24T10:00:04Z", fields: #""name":"Three""#))
            ])
            #expect(await eventually { sim.state.stats().rateLimited >= 1 }, "Bookbag answered 429")
            sim.state.setFaults(.none)
            #expect(await eventually(timeout: .seconds(60)) { sim.state.contact("dash-3")?.name == "Three" })

            // Scraped as Prometheus scrapes them: over HTTP from the ops ports.
            #expect(await eventually(timeout: .seconds(10)) { service.opsPort != nil }, "the service's ops endpoint listens")
            let servicePort = try #require(service.opsPort)
            let serviceScrape = try #require(await httpGet("http://127.0.0.1:\(servicePort)/metrics"))
            let intakeScrape = try #require(await httpGet("http://127.0.0.1:\(intake.opsPort)/metrics"))
            #expect(serviceScrape.0 == 200 && intakeScrape.0 == 200)
            let served = ScrapedSeries(serviceScrape.1 + "\n" + intakeScrape.1)
            #expect(served.labels["contact_sync_results_total"] != nil, "the service's scrape has results")
            #expect(served.labels["contact_sync_intake_requests_total"] != nil, "the intake's scrape has requests")

            for query in queries {
                for metric in query.metrics {
                    #expect(served.labels[metric] != nil,
                            "panel '\(query.panel)' queries \(metric), which neither /metrics serves: \(query.expr)")
                }
                for label in query.labels {
                    #expect(query.metrics.contains { served.labels[$0]?.contains(label) == true },
                            "panel '\(query.panel)' groups by or shows '\(label)', which no series of \(query.metrics) has")
                }
            }

            try await service.stop()
            try await intake.stop()
        }
    }
}

/// One target of one panel of the dashboard.
struct DashboardQuery {
    var panel: String
    var expr: String
    /// Every `contact_sync_*` series name the expression names.
    var metrics: [String]
    /// Labels it groups by or shows in its legend, other than those Prometheus adds (job, instance) and `le`.
    var labels: Set<String>

    static var path: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docker/grafana/contact-sync.json")
    }

    static func load() throws -> [DashboardQuery] {
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        var queries: [DashboardQuery] = []
        func walk(_ panels: [[String: Any]]) {
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    guard let expr = target["expr"] as? String else { continue }
                    queries.append(DashboardQuery(panel: title, expr: expr, legend: target["legendFormat"] as? String ?? ""))
                }
                walk(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        walk(dashboard["panels"] as? [[String: Any]] ?? [])
        return queries
    }

    init(panel: String, expr: String, legend: String) {
        self.panel = panel
        self.expr = expr
        metrics = expr.matches(of: /\bcontact_sync_[a-z0-9_]+/).map { String($0.output) }
        var labels = Set<String>()
        for grouping in expr.matches(of: /\bby\s*\(([^)]*)\)/) {
            for name in grouping.output.1.split(separator: ",") { labels.insert(name.trimmingCharacters(in: .whitespaces)) }
        }
        for shown in legend.matches(of: /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/) { labels.insert(String(shown.output.1)) }
        self.labels = labels.subtracting(["le", "job", "instance", ""])
    }
}

/// Series names in Prometheus text, with the label names seen on their samples.
struct ScrapedSeries {
    var labels: [String: Set<String>] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.isEmpty && !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var names = labels[name, default: []]
            if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}"), open < close {
                for label in line[open...close].matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="/) { names.insert(String(label.output.1)) }
            }
            labels[name] = names
        }
    }
}
