@testable import ContactSync
import Foundation
import Logging
import Synchronization
import Testing

/// The local clock store against real SQLite files in a temporary directory.
@Suite(.timeLimit(.minutes(2)))
struct ClockStoreTests {
    /// A fresh directory per test (`defer { directory.remove() }`).
    struct Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clock-store-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false) }
        func remove() { try? FileManager.default.removeItem(at: url) }
        var storePath: String { url.appendingPathComponent("clocks.sqlite").path }
        var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }
    }

    static let topic = "clocks.test"

    static func open(_ path: String, topic: String = topic, merge: @escaping ClockStore.Merge = replace) throws -> ClockStore {
        try ClockStore(path: path, topic: topic, cacheBytes: 1 << 20, logger: Logger(label: "clock-store-test"), merge: merge)
    }

    /// Replaces the stored value by the entry's.
    static let replace: @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8] = { _, incoming in
        Array(incoming)
    }

    /// Appends the entry's bytes to the stored ones: shows what merge saw.
    static let append: @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8] = { stored, incoming in
        Array(stored ?? UnsafeRawBufferPointer(start: nil, count: 0)) + Array(incoming)
    }

    struct OpenedUnexpectedly: Error {}

    /// The error opening `path` fails with (the test fails when it opens).
    static func openingError(_ path: String, topic: String = topic) throws -> ClockStoreError {
        do {
            _ = try open(path, topic: topic)
        } catch let error as ClockStoreError {
            return error
        }
        Issue.record("the store at \(path) was opened")
        throw OpenedUnexpectedly()
    }

    @Test func valuesMergedAreLoadedAndAbsentKeysLeftOut() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        #expect(store.wasCreated)
        try await store.merge([("a", [1, 2]), ("b", [3])], positions: [:])
        let loaded = try await store.load(["a", "b", "c"])
        #expect(loaded == ["a": [1, 2], "b": [3]])
        #expect(try await store.load([]) == [:])
        await store.close()
    }

    /// The pipeline's writes are queued, not awaited: a later load sees them,
    /// and a queued write that failed fails the next call.
    @Test func aMergeNotWaitedForIsSeenByTheNextLoadAndItsFailureByTheNextCall() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath, merge: Self.append)
        try await store.merge([("a", [1])], positions: [:])
        store.mergeWithoutWaiting([("a", [2]), ("b", [3])])
        #expect(try await store.load(["a", "b"]) == ["a": [1, 2], "b": [3]])
        try store.checkUnreportedFailure()

        await store.close()
        store.mergeWithoutWaiting([("c", [4])])  // fails when flushed: closed
        let failed = await eventually(timeout: .seconds(5)) { (try? store.checkUnreportedFailure()) == nil }
        #expect(failed, "the failed write is reported")
        #expect(throws: ClockStoreError.self) { try store.checkUnreportedFailure() }
    }

    /// Writes wait in memory merged per key, and reach the file by themselves
    /// within the write-back delay (the contact count moves only then).
    @Test func waitingWritesMergePerKeyAndReachTheFileByThemselves() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath, merge: Self.append)
        try await store.merge([("a", [1])], positions: [:])
        store.mergeWithoutWaiting([("a", [2]), ("b", [7])])
        store.mergeWithoutWaiting([("a", [3])])
        #expect(try await store.load(["a", "b"]) == ["a": [1, 2, 3], "b": [7]])
        #expect(try await store.statistics().contacts == 1, "b waits in memory")
        let written = await eventually(timeout: .seconds(10)) { (try? await store.statistics().contacts) == 2 }
        #expect(written, "the write-back reached the file")
        #expect(try await store.load(["a", "b"]) == ["a": [1, 2, 3], "b": [7]], "merged once, not twice")
        await store.close()
    }

    /// The pipeline's full clock sets replace a value still waiting for the
    /// key; the stored value is still merged with them.
    @Test func aSupersedingWriteReplacesTheWaitingValueButMergesWithTheStoredOne() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath, merge: Self.append)
        try await store.merge([("a", [1])], positions: [:])
        store.mergeWithoutWaiting([("a", [2])], supersedingWaiting: true)
        store.mergeWithoutWaiting([("a", [2, 3])], supersedingWaiting: true)
        #expect(try await store.load(["a"]) == ["a": [1, 2, 3]])
        await store.close()
        let reopened = try Self.open(directory.storePath, merge: Self.append)
        #expect(try await reopened.load(["a"]) == ["a": [1, 2, 3]])
        await reopened.close()
    }

    /// A queued write is in the file before the next positions and before the
    /// store closes: a reopened store has it.
    @Test func aQueuedWriteIsStoredBeforeTheNextPositionsAndAtClose() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        var store = try Self.open(directory.storePath)
        store.mergeWithoutWaiting([("a", [1])])
        try await store.merge([], positions: [0: 5])
        store.mergeWithoutWaiting([("b", [2])])
        await store.close()
        store = try Self.open(directory.storePath)
        #expect(try await store.positions() == [0: 5])
        #expect(try await store.load(["a", "b"]) == ["a": [1], "b": [2]])
        await store.close()
    }

    @Test func mergeReceivesTheStoredBytesAndAppliesOneCallsEntriesInOrder() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let seen = SeenMerges()
        let recording: @Sendable (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) -> [UInt8] = { stored, incoming in
            seen.record(stored.map(Array.init), Array(incoming))
            return Self.append(stored, incoming)
        }
        let store = try Self.open(directory.storePath, merge: recording)
        try await store.merge([("a", [1])], positions: [:])
        try await store.merge([("b", [9]), ("a", [2]), ("c", [5]), ("a", [3])], positions: [:])
        let calls = seen.calls
        #expect(calls.count == 5)
        for call in [Merge(nil, [1]), Merge([1], [2]), Merge([1, 2], [3]), Merge(nil, [9]), Merge(nil, [5])] {
            #expect(calls.contains(call), "merge was not called with \(call)")
        }
        #expect(try await store.load(["a", "b", "c"]) == ["a": [1, 2, 3], "b": [9], "c": [5]])
        await store.close()
    }

    /// A write known to be new (the key filter had never seen its key) is a
    /// plain insert; one that finds its key stored after all (a changelog
    /// write got in first) is merged with it, neither lost nor counted twice.
    @Test func aWriteKnownNewThatFindsItsKeyStoredIsMergedWithIt() throws {
        let directory = try Directory()
        defer { directory.remove() }
        let files = ClockStoreFiles(main: directory.storePath)
        try ClockDatabase.create(files, topic: Self.topic)
        let database = try ClockDatabase.open(files, topic: Self.topic, cacheBytes: 1 << 20)
        try database.merge([ClockDatabase.Write(key: "a", value: [1])], positions: [:], using: Self.append)
        try database.merge(
            [.init(key: "b", value: [3], knownNew: true), .init(key: "a", value: [2], knownNew: true)],
            positions: [0: 4], using: Self.append)
        #expect(try database.load(["a", "b"]) == ["a": [1, 2], "b": [3]])
        #expect(database.contacts == 2)
        #expect(try database.positions() == [0: 4])
        try database.close()
    }

    @Test func positionsAndValuesSurviveCloseAndReopen() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        #expect(try await store.positions() == [:])
        try await store.merge([("a", [7])], positions: [0: 10, 3: 7])
        try await store.merge([("b", [8])], positions: [0: 12])
        await store.close()
        await store.close()  // idempotent

        let reopened = try Self.open(directory.storePath)
        #expect(reopened.opened == .existing)
        #expect(!reopened.wasCreated)
        #expect(try await reopened.positions() == [0: 12, 3: 7])
        #expect(try await reopened.load(["a", "b"]) == ["a": [7], "b": [8]])
        await reopened.close()
    }

    @Test func aStoreWhoseMainFileWasDeletedStartsEmptyDespiteAnOldWriteAheadLog() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        try await store.merge([("a", [1])], positions: [0: 5])
        let log = URL(fileURLWithPath: directory.storePath + "-wal")
        let leftOver = try Data(contentsOf: log)  // as a killed process leaves it
        #expect(leftOver.count > 0)
        await store.close()
        try FileManager.default.removeItem(atPath: directory.storePath)
        try leftOver.write(to: log)

        let fresh = try Self.open(directory.storePath)
        #expect(fresh.wasCreated)
        #expect(try await fresh.load(["a"]) == [:])
        #expect(try await fresh.positions() == [:])
        try await fresh.merge([("b", [2])], positions: [:])
        await fresh.close()
        let reopened = try Self.open(directory.storePath)
        #expect(try await reopened.load(["a", "b"]) == ["b": [2]])
        await reopened.close()
    }

    @Test func aStoreIsNotUsableAfterClose() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        await store.close()
        do {
            _ = try await store.load(["a"])
            Issue.record("a closed store answered")
        } catch let error as ClockStoreError {
            #expect(error.kind == .closed)
        }
    }

    @Test func aFileOfGarbageIsRefusedAsNotAStore() throws {
        let directory = try Directory()
        defer { directory.remove() }
        let garbage = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
        try Data(garbage).write(to: URL(fileURLWithPath: directory.storePath))
        let error = try Self.openingError(directory.storePath)
        #expect(error.kind == .notAStore)
        #expect(error.description.contains(directory.storePath) && error.description.contains("not a SQLite database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.storePath)) == Data(garbage), "the file was changed")
    }

    @Test func anotherSQLiteDatabaseIsRefusedAsNotAStore() throws {
        let directory = try Directory()
        defer { directory.remove() }
        let other = try SQLiteConnection(path: directory.storePath, create: true)
        try other.execute("CREATE TABLE notes (body TEXT)")
        try other.close()
        let error = try Self.openingError(directory.storePath)
        #expect(error.kind == .notAStore)
        #expect(error.description.contains("not a contact-sync clock store"))
    }

    @Test func anotherSchemaVersionIsRefused() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        try await Self.open(directory.storePath).close()
        let connection = try SQLiteConnection(path: directory.storePath, create: false)
        try connection.execute("PRAGMA user_version = 99")
        try connection.close()
        let error = try Self.openingError(directory.storePath)
        #expect(error.kind == .otherSchemaVersion)
        #expect(error.description.contains("99") && error.description.contains("version 1"))
    }

    @Test func aDamagedStoreIsRefusedByTheIntegrityCheck() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        let entries = (0..<5_000).map { (key: "contact-\($0)", value: [UInt8](repeating: UInt8($0 % 251), count: 100)) }
        try await store.merge(entries, positions: [:])
        await store.close()
        // Overwrite pages in the middle of the clocks table with garbage.
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: directory.storePath))
        let size = try file.seekToEnd()
        #expect(size > 100_000)
        try file.seek(toOffset: size / 2 / 4096 * 4096)
        try file.write(contentsOf: Data(repeating: 0xA5, count: 3 * 4096))
        try file.close()
        let error = try Self.openingError(directory.storePath)
        #expect(error.kind == .damaged, "\(error)")
        #expect(error.description.contains(directory.storePath) && !error.description.contains("\n"), "\(error)")
    }

    @Test func aStoreInADirectoryThatDoesNotExistIsRefusedNamingThePath() throws {
        let directory = try Directory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("missing/clocks.sqlite").path
        let error = try Self.openingError(path)
        #expect(error.kind == .io)
        #expect(error.description.contains(path) && error.description.contains("No such file or directory"), "\(error)")
    }

    @Test func aStoreOfAnotherTopicIsRefusedNamingBothTopics() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        try await Self.open(directory.storePath, topic: "clocks.blue").close()
        let error = try Self.openingError(directory.storePath, topic: "clocks.green")
        #expect(error.kind == .otherTopic)
        #expect(error.description.contains("'clocks.blue'") && error.description.contains("'clocks.green'"))
    }

    @Test func aSecondOpenWhileTheFirstIsOpenIsRefused() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let first = try Self.open(directory.storePath)
        let error = try Self.openingError(directory.storePath)
        #expect(error.kind == .inUse)
        #expect(error.description.contains("process \(getpid())"), "\(error)")
        await first.close()
        let second = try Self.open(directory.storePath)
        #expect(second.opened == .existing)
        await second.close()
    }

    @Test func removeDeletesEveryFileButNotWhileOpen() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        try await store.merge([("a", [1])], positions: [0: 1])
        #expect(throws: ClockStoreError.self) { try ClockStore.remove(at: directory.storePath) }
        #expect(try await store.load(["a"]) == ["a": [1]], "a refused remove deleted data")
        await store.close()
        #expect(!directory.contents.isEmpty)
        try ClockStore.remove(at: directory.storePath)
        #expect(directory.contents == [])
        try ClockStore.remove(at: directory.storePath)  // nothing there: nothing to do
        let fresh = try Self.open(directory.storePath)
        #expect(fresh.wasCreated)
        await fresh.close()
    }

    @Test func statisticsCountContactsOnceWhetherNewOrMergedAgain() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        #expect(try await store.statistics().contacts == 0)
        try await store.merge([("a", [1]), ("b", [1]), ("c", [1])], positions: [:])
        #expect(try await store.statistics().contacts == 3)
        try await store.merge([("a", [2]), ("d", [1]), ("d", [2]), ("b", [1])], positions: [:])
        let statistics = try await store.statistics()
        #expect(statistics.contacts == 4)
        #expect(statistics.bytes > 0)
        await store.close()
        let reopened = try Self.open(directory.storePath)
        #expect(try await reopened.statistics().contacts == 4)
        await reopened.close()
    }

    @Test func loadingMoreKeysThanSQLitesVariableLimitWorks() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let store = try Self.open(directory.storePath)
        let count = 40_000
        let entries = (0..<count).map { (key: "contact-\($0)", value: Array("value \($0)".utf8)) }
        try await store.merge(entries, positions: [1: Int64(count)])
        let keys = entries.map(\.key) + (0..<100).map { "absent-\($0)" }
        let loaded = try await store.load(keys)
        #expect(loaded.count == count)
        #expect(loaded["contact-39999"] == Array("value 39999".utf8))
        #expect(loaded["absent-7"] == nil)
        #expect(try await store.statistics().contacts == count)
        await store.close()
    }
}

struct Merge: Equatable {
    let stored: [UInt8]?
    let incoming: [UInt8]
    init(_ stored: [UInt8]?, _ incoming: [UInt8]) {
        self.stored = stored
        self.incoming = incoming
    }
}

/// What the merge closure was called with, in order.
final class SeenMerges: Sendable {
    private let merges = Mutex<[Merge]>([])
    func record(_ stored: [UInt8]?, _ incoming: [UInt8]) { merges.withLock { $0.append(Merge(stored, incoming)) } }
    var calls: [Merge] { merges.withLock { $0 } }
}
