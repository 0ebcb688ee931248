import CMalloc
import ContactSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `main`'s allocator settings: applied unless the operator tunes glibc, and
/// then a large buffer gets its own mapping (returned when freed) even after a
/// larger one was freed: glibc's default raises its mmap threshold to the
/// largest mapped size freed (up to 32 MB), after which such buffers grow the
/// arena and stay in it.
@Suite struct AllocatorSettingsTests {
    @Test func theOperatorsOwnSettingsWin() {
        #expect(!AllocatorSettings.apply(environment: ["MALLOC_ARENA_MAX": "4"]))
        #expect(!AllocatorSettings.apply(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"]))
    }

    @Test func largeBuffersStayMappedAfterALargerOneIsFreed() throws {
        #expect(AllocatorSettings.apply(environment: ["PATH": "/usr/bin"]))
        let large = try #require(malloc(30 << 20))
        free(large)
        let buffer = try #require(malloc(24 << 20))
        defer { free(buffer) }
        #expect(contact_sync_chunk_is_mmapped(buffer) != 0)
        let small = try #require(malloc(1024))
        defer { free(small) }
        #expect(contact_sync_chunk_is_mmapped(small) == 0)
    }
}
