import ContactSync
import Testing

/// The `contact-sync` binary runs on jemalloc with the settings of its
/// `CJemalloc` target; everything else (this test process included) on glibc,
/// where the service's glibc tuning still applies.
@Suite struct AllocatorTests {
    @Test func theLibraryAndItsTestsRunOnGlibc() {
        #expect(Allocator.current == .glibc)
        #expect(Allocator.current.isGlibc)
    }

    /// The line comes before the configuration is read, so a run without a
    /// chatbot id still prints it, then exits 2.
    @Test func theServiceBinaryRunsOnJemallocWithItsOwnSettings() async throws {
        let service = try ServiceProcess(environment: ["LOG_LEVEL": "info"])
        #expect(await service.waitForExit() == 2)
        #expect(service.output.contains("allocator: jemalloc 5."), "\(service.output)")
        #expect(service.output.contains("(narenas:2, dirty_decay_ms:100)"), "\(service.output)")
    }

    @Test func theOperatorsMallocConfWins() async throws {
        let service = try ServiceProcess(environment: ["LOG_LEVEL": "info", "MALLOC_CONF": "narenas:1,dirty_decay_ms:1000"])
        #expect(await service.waitForExit() == 2)
        #expect(service.output.contains("(narenas:1, dirty_decay_ms:1000)"), "\(service.output)")
    }
}
