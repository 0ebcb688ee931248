import Synchronization

/// What `/readyz` reports, updated by the parts that know.
public final class ServiceHealth: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var consumerRunning = false
        public var hasJoinedGroup = false
        public var bookbagConfigurationError: String?
        public var brokerReachable = true
        /// The field clocks are restored from the changelog (the consumer starts only then).
        public var clocksRestored = false

        /// Why `/readyz` says no; empty when ready.
        public var notReadyReasons: [String] {
            var reasons: [String] = []
            if !clocksRestored { reasons.append("field clocks not restored yet") }
            if !consumerRunning { reasons.append("consumer not running") }
            if !hasJoinedGroup { reasons.append("not yet a member of the consumer group") }
            if let error = bookbagConfigurationError { reasons.append("Bookbag configuration error: \(error)") }
            if !brokerReachable { reasons.append("Kafka broker unreachable") }
            return reasons
        }

        public var isReady: Bool {
            clocksRestored && consumerRunning && hasJoinedGroup && bookbagConfigurationError == nil && brokerReachable
        }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
