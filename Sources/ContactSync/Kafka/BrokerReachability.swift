import Dispatch
import Synchronization

/// Whether a Kafka client's broker answers, and when to ask it again: marked
/// away on librdkafka's "all brokers are down", back by the next answer.
public final class BrokerReachability: Sendable {
    private let state: Mutex<(reachable: Bool, lastProbe: UInt64?)>
    private let probeIntervalNanos: UInt64 = 2_000_000_000

    public init(reachable: Bool) {
        state = Mutex((reachable, nil))
    }

    public var isReachable: Bool { state.withLock { $0.reachable } }
    func markReachable() { state.withLock { $0.reachable = true } }
    func markUnreachable() { state.withLock { $0.reachable = false } }

    /// True (and the probe time noted) when the broker is marked away and no probe ran for 2 s.
    func probeDue() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        return state.withLock { state in
            guard !state.reachable else { return false }
            if let last = state.lastProbe, now &- last < probeIntervalNanos { return false }
            state.lastProbe = now
            return true
        }
    }
}
