import ContactSync
import Logging
import ServiceLifecycle
import Testing

/// The allocator trimmer is one more service in the group: it must start
/// with it and end promptly on a graceful shutdown, without holding it up.
@Suite struct MemoryTrimmerTests {
    @Test func endsPromptlyOnGracefulShutdown() async throws {
        let trimmer = MemoryTrimmer(every: .milliseconds(100))
        let group = ServiceGroup(services: [trimmer], logger: Logger(label: "trimmer-test"))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Several trims happen meanwhile.
            try await Task.sleep(for: .milliseconds(450))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(ContinuousClock.now - start < .seconds(2), "a shutdown waits for one short sleep at most")
    }
}
