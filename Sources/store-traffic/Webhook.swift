import ArgumentParser
import ContactSync
import ContactSyncCore
import Foundation
import Workload

/// Sends synthetic store events through the webhook intake instead of Kafka:
/// signed Standard Webhooks deliveries of `--batch` events, retried (same
/// webhook-id) on 408, 503 and connection errors, as a well-behaved sender does.
struct Webhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver profile_changed and login events to the webhook intake (POST /v1/events).")

    @Option(help: "the intake's URL") var url = "http://127.0.0.1:8081/v1/events"
    @Option(help: "file holding the whsec_ signing secret (its first secret is used)") var secretFile: String
    @Option(help: "events to deliver") var events = 2_000
    @Option(help: "distinct customers") var customers = 500
    @Option(help: "events per delivery (1 = single-event bodies)") var batch = 50
    @Option(help: "deliveries in flight at once") var concurrency = 4
    @Option(help: "random seed") var seed: UInt64 = 7
    @Option(help: "prefix of external_ids and event_ids") var idPrefix = "hook-"

    func run() async throws {
        let text = try String(contentsOfFile: secretFile, encoding: .utf8)
        guard let secret = try WebhookSecretsFile.parse(text).first else { throw ValidationError("no secret in \(secretFile)") }
        // Every event valid: one bad event would refuse its whole delivery (all-or-nothing).
        let spec = WorkloadSpec(events: events, customers: customers, badRecordShare: 0, seed: seed, idPrefix: idPrefix)
        let values = WorkloadGenerator(spec: spec).map(\.value)
        let bodies = stride(from: 0, to: values.count, by: batch).map { start -> [UInt8] in
            let slice = values[start..<min(start + batch, values.count)]
            guard slice.count > 1 else { return slice.first ?? [] }
            return Array(#"{"events":["#.utf8) + Array(slice.joined(separator: Array(",".utf8))) + Array("]}".utf8)
        }
        let client = CurlHTTPClient(settings: HTTPClientSettings(maxConnections: concurrency))
        let started = ContinuousClock.now
        let run = UUID().uuidString.prefix(8)
        let tally = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var counts: [Int: Int] = [:]
                    for (index, body) in bodies.enumerated() where index % concurrency == lane {
                        let status = await deliver(body, id: "msg_\(run)_\(index)", key: secret.key, client: client)
                        counts[status, default: 0] += 1
                    }
                    return counts
                }
            }
            return try await group.reduce(into: [:]) { total, counts in total.merge(counts, uniquingKeysWith: +) }
        }
        await client.shutdown()
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let summary = tally.sorted { $0.key < $1.key }.map { "\($0.value) x \($0.key)" }.joined(separator: ", ")
        print("store-traffic webhook: \(values.count) events in \(bodies.count) deliveries in \(String(format: "%.2f", seconds)) s: \(summary)")
        if tally.keys.contains(where: { $0 != 202 }) { throw ExitCode(1) }
    }

    /// One delivery until it is answered for good; the final status (0: never answered).
    private func deliver(_ body: [UInt8], id: String, key: [UInt8], client: CurlHTTPClient) async -> Int {
        for attempt in 0..<10 {
            // Each attempt is signed again: the timestamp must be fresh, the id stays.
            let timestamp = Int64(Date().timeIntervalSince1970)
            let mac = HMACSHA256.authenticationCode(key: key, message: Array("\(id).\(timestamp).".utf8) + body)
            let request = HTTPRequest(
                method: "POST", url: url,
                headers: [
                    "Content-Type: application/json", "webhook-id: \(id)", "webhook-timestamp: \(timestamp)",
                    "webhook-signature: v1,\(Base64.encode(mac))",
                ],
                body: body, timeout: .seconds(30))
            let status: Int
            switch await client.execute(request) {
            case .success(let response): status = response.status
            case .failure: status = 0
            }
            if status != 0 && status != 408 && status != 503 { return status }
            if attempt == 9 { return status }
            try? await Task.sleep(for: .milliseconds(200 << min(attempt, 4)))
        }
        return 0
    }
}
