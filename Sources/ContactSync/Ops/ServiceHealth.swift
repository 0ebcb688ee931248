/// What `/readyz` reports, read when asked from the parts that own each fact:
/// the clock restore, the consumer, the broker's reachability and Bookbag's
/// standing. Nothing writes here.
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

    private let restore: RestoreGate
    private let consumer: KafkaConsumer
    private let broker: BrokerReachability
    private let bookbag: BookbagStanding

    init(restore: RestoreGate, consumer: KafkaConsumer, broker: BrokerReachability, bookbag: BookbagStanding) {
        self.restore = restore
        self.consumer = consumer
        self.broker = broker
        self.bookbag = bookbag
    }

    public var snapshot: Snapshot {
        Snapshot(
            consumerRunning: consumer.isConsuming, hasJoinedGroup: consumer.hasJoinedGroup,
            bookbagConfigurationError: bookbag.configurationError, brokerReachable: broker.isReachable,
            clocksRestored: restore.isOpen)
    }
}
