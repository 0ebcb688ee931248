import ContactSyncCore
import Logging
import ServiceLifecycle
import Synchronization

/// Restores the local clock store from the changelog at start (the consumer
/// joins the group only after that), then tails the changelog until shutdown.
/// It shuts down after the sync service (it is listed before it), and closes
/// the store last.
final class ClockChangelogService: Service, Sendable {
    let changelog: ClockChangelog
    let restored = RestoreGate()
    private let logger: Logger
    private let metrics: ServiceMetrics
    private let onFatal: @Sendable (String) -> Void
    private let broker: BrokerReachability

    init(
        changelog: ClockChangelog, broker: BrokerReachability, logger: Logger, metrics: ServiceMetrics,
        onFatal: @escaping @Sendable (String) -> Void
    ) {
        self.changelog = changelog
        self.broker = broker
        self.logger = logger
        self.metrics = metrics
        self.onFatal = onFatal
    }

    func run() async {
        let topic = changelog.settings.topic
        do {
            let started = ContinuousClock.now
            let isNew = changelog.store.wasCreated
            if isNew {
                logger.notice("clock store \(changelog.settings.storePath) is new: restoring the field clocks from \(topic) before joining the group")
            }
            let starting = Task { [changelog, broker] in try await changelog.start(reporting: broker) }
            let ends = try await withGracefulShutdownHandler {
                try await starting.value
            } onGracefulShutdown: {
                starting.cancel()
            }
            let tail = Task { [changelog] in
                do {
                    try await changelog.tail()
                } catch {
                    changelog.failWaiters(error)
                    throw error
                }
                // Cancelled (shutdown): a restore still waiting will not complete.
                changelog.failWaiters(CancellationError())
            }
            try await withGracefulShutdownHandler {
                try await changelog.waitUntilApplied(ends)
                let elapsed = ContinuousClock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                metrics.clockRestoreSeconds.record(seconds)
                let contacts = (try? await changelog.store.statistics().contacts) ?? -1
                logger.info(
                    "field clocks \(isNew ? "restored" : "brought up to date") from \(topic) in \(Self.twoDecimals(seconds)) s (\(contacts) contacts in the store)")
                restored.open()
                try await tail.value
            } onGracefulShutdown: {
                tail.cancel()
            }
        } catch is CancellationError {
        } catch {
            restored.fail()
            onFatal("field clocks: \(error)")
        }
        restored.fail()
        await changelog.close()
        await changelog.store.close()
    }

    /// "12.35" for 12.3456: the restore's time in the log line.
    static func twoDecimals(_ seconds: Double) -> String {
        let hundredths = Int((max(seconds, 0) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// Opened once the clock store is restored; the sync service waits for it.
final class RestoreGate: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Bool, Never>])
        case done(Bool)
    }
    private let state = Mutex(State.waiting([]))

    func open() { finish(true) }
    /// Restored (not merely decided).
    var isOpen: Bool { state.withLock { if case .done(true) = $0 { true } else { false } } }
    /// The restore will not complete (a failure or a shutdown); waiters get false.
    func fail() { finish(false) }

    private func finish(_ result: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// True once restored; false when it never will be.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool? in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
