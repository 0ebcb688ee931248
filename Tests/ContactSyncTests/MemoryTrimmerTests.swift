import ContactSync
import Logging
import ServiceLifecycle
import Testing

/// The allocator trimmer is one more service in the group: it must start
/// with it and end on a graceful shutdown, without holding it up. (No wall
/// clock bound: with the suite's CPU-bound tests beside it the cooperative
/// pool can be busy for seconds, which measured 9 s here once. A trimmer that
/// ignored the shutdown would hang the group, which the time limit catches.)
@Suite struct MemoryTrimmerTests {
    @Test(.timeLimit(.minutes(1))) func endsOnGracefulShutdown() async throws {
        let trimmer = MemoryTrimmer(every: .milliseconds(100))
        let group = ServiceGroup(services: [trimmer], logger: Logger(label: "trimmer-test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Several trims happen meanwhile.
            try await Task.sleep(for: .milliseconds(450))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
