import ContactSync
import Foundation
import Synchronization
import Testing

/// A `DedicatedThread` counts as ended only once its thread has exited, thread-local
/// destructors included. The tools crashed now and then at exit ("malloc_consolidate():
/// invalid chunk size"): `main` returned and `exit` ran OpenSSL's atexit cleanup while
/// the tool's thread, whose work was already handed back, was still running
/// OpenSSL's thread-local destructor and freeing its memory.
@Suite
struct DedicatedThreadTests {
    /// Stands in for OpenSSL's per-thread cleanup: a thread-local destructor that takes a while.
    static let slowThreadExit: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { _ in usleep(300_000) }
        precondition(created == 0)
        return key
    }()

    /// The calling thread's kernel id, as `/proc/self/task` lists it; arms the slow exit.
    @Sendable static func armSlowExit() -> String {
        pthread_setspecific(slowThreadExit, UnsafeRawPointer(bitPattern: 1))
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return String(link.split(separator: "/").last ?? "")
    }

    static func isAlive(_ threadID: String) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/self/task/\(threadID)")
    }

    @Test
    func runReturnsOnlyOnceItsThreadHasExited() async throws {
        let threadID = await DedicatedThread.run(name: "exit-check", Self.armSlowExit)
        #expect(!threadID.isEmpty)
        #expect(!Self.isAlive(threadID), "thread \(threadID) still runs after `run` returned")
    }

    @Test
    func throwingRunReturnsOnlyOnceItsThreadHasExited() async throws {
        struct Failed: Error { let threadID: String }
        do {
            _ = try await DedicatedThread.run(name: "exit-check") { () throws -> Int in throw Failed(threadID: Self.armSlowExit()) }
            Issue.record("the body threw; run should have too")
        } catch let failed as Failed {
            #expect(!Self.isAlive(failed.threadID), "thread \(failed.threadID) still runs after `run` threw")
        }
    }

    @Test
    func endedReturnsOnlyOnceTheThreadHasExited() async throws {
        let thread = DedicatedThread(name: "exit-check")
        let threadID = Mutex("")
        thread.start { threadID.withLock { $0 = Self.armSlowExit() } }
        await thread.ended()
        let id = threadID.withLock { $0 }
        #expect(!id.isEmpty)
        #expect(!Self.isAlive(id), "thread \(id) still runs after `ended` returned")
        #expect(!thread.isRunning)
        // A second wait returns at once.
        await thread.ended()
    }
}
