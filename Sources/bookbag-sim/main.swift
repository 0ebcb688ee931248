import ArgumentParser
import BookbagSim
import Foundation
import Logging

/// Runs a local Bookbag (contracts section 2) for tests, the demo and the benchmark.
struct BookbagSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookbag-sim",
        abstract: "A local Bookbag contacts API with switchable faults.",
        discussion: """
            Test/ops endpoints without auth: GET /_sim/contacts, /_sim/contacts/{id}, /_sim/stats, \
            /_sim/upserts?external_id=X, /_sim/attributes, /_sim/faults, /_sim/health; \
            POST /_sim/faults (JSON, replaces all faults), POST /_sim/reset.

            Prints "bookbag-sim listening on http://HOST:PORT" once ready; stops on SIGTERM or SIGINT.
            """)

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = any free port).")
    var port = 8090

    @Option(help: "The valid API key (prefer env BOOKBAG_SIM_API_KEY: arguments show in ps). Never logged.")
    var apiKey: String?

    @Option(help: "The chatbot id the key is scoped to.")
    var chatbotID = "123"

    @Option(help: "A chatbot id that exists but is outside the key's scope (403).")
    var otherChatbotID: String?

    @Option(
        name: .customLong("attribute"),
        help: "Pre-seeded attribute as name[:type[:archived]], e.g. plan:text or last_login_at:date (repeatable).")
    var attributes: [String] = []

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Fault: milliseconds added to every API call.")
    var latencyMs = 0

    @Option(help: "Fault: answer every API call with this status (e.g. 503)...")
    var failStatus: Int?

    @Option(help: "...for this many milliseconds from start (default: until changed).")
    var failForMs: Int?

    @Option(help: "Fault: token bucket per API key, requests per second; beyond it 429.")
    var rateLimitPerSecond: Double?

    @Option(help: "The Retry-After seconds a 429 announces.")
    var retryAfterSeconds = 1

    @Option(help: "Fault: close connections without a response for this many milliseconds from start.")
    var dropForMs: Int?

    @Option(help: "Fault: answer every n-th API call 503.")
    var failEveryNth: Int?

    @Option(name: .customLong("entry-error-id"), help: "Refuse this external_id inside a 200 (repeatable).")
    var entryErrorIDs: [String] = []

    @Option(help: "Upsert entries remembered for /_sim/upserts.")
    var upsertLogCapacity = 100_000

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel = "info"

    func validate() throws {
        guard chatbotID.allSatisfy(\.isASCIIDigitCharacter), !chatbotID.isEmpty else {
            throw ValidationError("--chatbot-id must be digits")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard latencyMs >= 0, retryAfterSeconds >= 0, (failForMs ?? 0) >= 0, (dropForMs ?? 0) >= 0,
            (failEveryNth ?? 0) >= 0, (rateLimitPerSecond ?? 0) >= 0
        else { throw ValidationError("fault values must not be negative") }
        if let failStatus, !(100...599).contains(failStatus) {
            throw ValidationError("--fail-status must be an HTTP status (100...599)")
        }
        _ = try seededAttributes()
    }

    func run() async throws {
        guard let key = apiKey ?? ProcessInfo.processInfo.environment["BOOKBAG_SIM_API_KEY"], !key.isEmpty else {
            throw ValidationError("--api-key or BOOKBAG_SIM_API_KEY is required")
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let faults = SimFaults(
            latencyMilliseconds: latencyMs, failStatus: failStatus, failForMilliseconds: failForMs,
            rateLimitPerSecond: rateLimitPerSecond, retryAfterSeconds: retryAfterSeconds,
            dropForMilliseconds: dropForMs, failEveryNth: failEveryNth, entryErrorIDs: Set(entryErrorIDs))
        let configuration = BookbagSimConfiguration(
            host: host, port: port, apiKey: key, chatbotID: chatbotID, otherChatbotID: otherChatbotID,
            seededAttributes: try seededAttributes(), faults: faults, upsertLogCapacity: upsertLogCapacity)
        let server = BookbagSimServer(configuration: configuration, logger: Logger(label: "bookbag-sim"))
        let host = self.host
        let portFile = self.portFile
        try await server.runUntilSignalled { boundPort in
            if let portFile {
                do {
                    try "\(boundPort)\n".write(toFile: portFile, atomically: true, encoding: .utf8)
                } catch {
                    FileHandle.standardError.write(Data("bookbag-sim: cannot write \(portFile): \(error)\n".utf8))
                }
            }
            // Unbuffered, so scripts reading a pipe see the line at once.
            FileHandle.standardOutput.write(Data("bookbag-sim listening on http://\(host):\(boundPort)\n".utf8))
        }
    }

    private func seededAttributes() throws -> [SimAttributeDefinition] {
        try attributes.map { spec in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...3).contains(parts.count), SimAttributeDefinition.isValidName(parts[0]) else {
                throw ValidationError("--attribute \(spec): expected name[:type[:archived]]")
            }
            let type = parts.count > 1 ? SimAttributeType(rawValue: parts[1]) : .text
            guard let type else { throw ValidationError("--attribute \(spec): type must be text, number, boolean or date") }
            guard parts.count < 3 || parts[2] == "archived" else {
                throw ValidationError("--attribute \(spec): the third part can only be 'archived'")
            }
            return SimAttributeDefinition(name: parts[0], type: type, archived: parts.count == 3)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

// Top-level code in main.swift picks the synchronous `main()`; inside an async function the
// async overload (which awaits `run()`) is chosen.
func runCommand() async {
    await BookbagSimCommand.main()
}

await runCommand()
