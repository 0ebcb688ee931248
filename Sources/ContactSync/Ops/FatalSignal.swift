import ServiceLifecycle
import Synchronization

/// Turns an error reported from a C callback thread (a fatal producer error)
/// into a failed service, so the whole group shuts down with a non-zero exit
/// instead of leaving a half-alive process.
public final class FatalSignal: Service, Sendable {
    private let state = Mutex<(message: String?, waiter: CheckedContinuation<String?, Never>?)>((nil, nil))

    public init() {}

    public struct FatalError: Error, CustomStringConvertible {
        public var description: String
    }

    public var message: String? { state.withLock { $0.message } }

    public func raise(_ message: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if state.message == nil { state.message = message }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: message)
    }

    public func run() async throws {
        let message: String? = await withGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                let existing = state.withLock { state -> String? in
                    if state.message == nil { state.waiter = continuation }
                    return state.message
                }
                if let existing { continuation.resume(returning: existing) }
            }
        } onGracefulShutdown: { [self] in
            self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume(returning: nil)
        }
        if let message { throw FatalError(description: message) }
    }
}
