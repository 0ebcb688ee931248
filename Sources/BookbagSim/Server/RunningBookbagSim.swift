import Logging

/// A simulator started in-process (for tests). Call `stop()` when done.
public struct RunningBookbagSim: Sendable {
    public let port: Int
    public let state: BookbagSimState
    public let configuration: BookbagSimConfiguration
    private let task: Task<Void, any Error>

    /// e.g. `http://127.0.0.1:40123`
    public var baseURL: String { "http://\(configuration.host):\(port)" }

    /// Cancels the server and waits until it has shut down.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    fileprivate init(port: Int, server: BookbagSimServer, task: Task<Void, any Error>) {
        self.port = port
        self.state = server.state
        self.configuration = server.configuration
        self.task = task
    }
}

extension BookbagSimServer {
    public static var quietLogger: Logger {
        var logger = Logger(label: "bookbag-sim")
        logger.logLevel = .critical
        return logger
    }

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a simulator in a task and returns once it listens (use port 0 for a free port).
    /// The default logger only reports critical problems: `stop()` cancels the server, and
    /// Hummingbird logs an error per open keep-alive connection when cancelled.
    public static func start(
        configuration: BookbagSimConfiguration, logger: Logger = quietLogger
    ) async throws -> RunningBookbagSim {
        let server = BookbagSimServer(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server ended before listening: surface its error.
            try await task.value
            throw StartError(description: "bookbag-sim stopped before listening")
        }
        return RunningBookbagSim(port: port, server: server, task: task)
    }
}
