import Synchronization
import Testing

@testable import ContactSync

/// Decoding and result encoding run in parts over the cores (`SplitWork`): the
/// parts must come back in the array's order, cover every element once, and
/// actually run at the same time.
@Suite
struct SplitWorkTests {
    @Test(arguments: [
        (count: 0, parts: 2, minimum: 512, expected: 1),
        (count: 1_023, parts: 2, minimum: 512, expected: 1),
        (count: 1_024, parts: 2, minimum: 512, expected: 2),
        (count: 10_000, parts: 2, minimum: 512, expected: 2),
        (count: 10_000, parts: 1, minimum: 512, expected: 1),
        (count: 1_500, parts: 4, minimum: 500, expected: 3),
        (count: 7, parts: 3, minimum: 0, expected: 3),
    ])
    func partsAreAtMostTheCoresAndEachWorthItsTask(count: Int, parts: Int, minimum: Int, expected: Int) {
        #expect(SplitWork.partCount(count, parts: parts, minimumPerPart: minimum) == expected)
    }

    @Test(arguments: [0, 1, 2, 7, 999, 1_000, 1_001, 4_096])
    func partsComeBackInOrderAndCoverEveryElementOnce(count: Int) async {
        let items = Array(0..<count)[...]
        for parts in 1...4 {
            let outputs = await SplitWork.map(items, parts: parts, minimumPerPart: 1) { slice in
                slice.map { $0 * 3 }
            }
            #expect(Array(outputs.joined()) == items.map { $0 * 3 }, "parts: \(parts)")
            #expect(outputs.count == max(1, min(parts, count)))
        }
        // A slice that does not start at zero (a chunk of a batch).
        let chunk = Array(0..<100)[40..<90]
        let outputs = await SplitWork.map(chunk, parts: 2, minimumPerPart: 10) { Array($0) }
        #expect(outputs == [Array(40..<65), Array(65..<90)])
    }

    /// Each part waits (at most 10 s) until the other has started: run one
    /// after another, the first would see only itself and the test fails.
    /// The cooperative pool has one thread per core, so it needs two.
    @Test(.enabled(if: SplitWork.cores >= 2, "the cooperative pool runs two parts at once only with two cores"))
    func twoPartsRunAtTheSameTime() async {
        let started = Atomic<Int>(0)
        let sawTheOther = await SplitWork.map(Array(0..<2)[...], parts: 2, minimumPerPart: 1) { _ in
            started.add(1, ordering: .sequentiallyConsistent)
            let deadline = ContinuousClock.now + .seconds(10)
            while started.load(ordering: .sequentiallyConsistent) < 2 && ContinuousClock.now < deadline {}
            return started.load(ordering: .sequentiallyConsistent) == 2
        }
        #expect(sawTheOther == [true, true])
    }
}
