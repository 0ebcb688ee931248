import Hummingbird
import Logging

/// A local Bookbag (contracts section 2) with switchable faults, for tests, the demo and the benchmark.
public struct BookbagSimServer: Sendable {
    public let configuration: BookbagSimConfiguration
    public let state: BookbagSimState
    private let logger: Logger

    public init(configuration: BookbagSimConfiguration, logger: Logger = Logger(label: "bookbag-sim")) {
        self.configuration = configuration
        self.state = BookbagSimState(configuration: configuration)
        self.logger = logger
    }

    /// Serves until the surrounding task is cancelled; reports the bound port once listening.
    public func run(onListening: @Sendable @escaping (Int) async -> Void) async throws {
        try await makeApplication(onListening: onListening).run()
    }

    /// Serves until SIGTERM or SIGINT (then shuts down gracefully) or cancellation.
    public func runUntilSignalled(onListening: @Sendable @escaping (Int) async -> Void) async throws {
        try await makeApplication(onListening: onListening).runService()
    }

    private func makeApplication(onListening: @Sendable @escaping (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "bookbag-sim", backlog: 1024),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
    }
}
