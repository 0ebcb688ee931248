@testable import ContactSync
import Testing

/// Reading resident memory from `/proc/self/statm` (the memory target's input).
@Suite struct ResidentMemoryTests {
    @Test func readsTheSecondFieldInPages() {
        #expect(ResidentMemory.residentPages(statm: Array("61234 20345 3012 1100 0 40211 0\n".utf8)) == 20_345)
        #expect(ResidentMemory.residentPages(statm: Array("61234 7\n".utf8)) == 7)
    }

    @Test func refusesWhatIsNotStatm() {
        #expect(ResidentMemory.residentPages(statm: Array("61234".utf8)) == nil)
        #expect(ResidentMemory.residentPages(statm: Array("61234 12x4 1".utf8)) == nil)
        #expect(ResidentMemory.residentPages(statm: Array("1 99999999999999999999999 1".utf8)) == nil)
    }

    @Test func samplesThisProcess() throws {
        let memory = try #require(ResidentMemory())
        let first = try #require(memory.sample())
        // A live process holds at least its own code; read again from the start, not where the last read ended.
        #expect(first > 1 << 20)
        let again = try #require(memory.sample())
        #expect(again > 1 << 20)
    }
}
