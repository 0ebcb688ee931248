@testable import ContactSync
import Foundation
import Synchronization
import Testing

/// The intake's read-timeout clock, with injected time.
struct ReadDeadlinesTests {
    final class Fired: Sendable {
        let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
    }

    @Test func onlyOverdueRegistrationsExpireAndEachOnlyOnce() {
        let deadlines = ReadDeadlines()
        let fired = Fired()
        let start = DispatchTime.now().uptimeNanoseconds
        _ = deadlines.register(timeout: .seconds(1)) { fired.add("short") }
        _ = deadlines.register(timeout: .seconds(10)) { fired.add("long") }
        let done = deadlines.register(timeout: .seconds(1)) { fired.add("finished in time") }
        deadlines.unregister(done)
        #expect(deadlines.expireOverdue(now: start) == 0)
        #expect(deadlines.expireOverdue(now: start + 2_000_000_000) == 1)
        #expect(fired.names.withLock { $0 } == ["short"])
        #expect(deadlines.expireOverdue(now: start + 3_000_000_000) == 0, "an expired one does not fire again")
        #expect(deadlines.expireOverdue(now: start + 11_000_000_000) == 1)
        #expect(fired.names.withLock { $0 } == ["short", "long"])
    }
}
