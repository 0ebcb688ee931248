import ContactSyncCore
import Testing

@Suite struct AdaptiveBatchSizeTests {
    @Test func startsAtTheMinimum() {
        #expect(AdaptiveBatchSize(minimum: 500, maximum: 5_000).target == 500)
    }

    @Test func aBacklogDoublesTheTargetUpToTheCeiling() {
        var size = AdaptiveBatchSize(minimum: 500, maximum: 5_000)
        var targets: [Int] = []
        for _ in 0..<6 {
            size.batchClosed(.full, pipelineBusy: true)
            targets.append(size.target)
        }
        #expect(targets == [1_000, 2_000, 4_000, 5_000, 5_000, 5_000])
    }

    @Test func aQuietStreamHalvesItBackToTheMinimum() {
        var size = AdaptiveBatchSize(minimum: 500, maximum: 5_000)
        for _ in 0..<4 { size.batchClosed(.full, pipelineBusy: true) }
        var targets: [Int] = []
        for _ in 0..<5 {
            size.batchClosed(.deadline, pipelineBusy: false)
            targets.append(size.target)
        }
        #expect(targets == [2_500, 1_250, 625, 500, 500])
    }

    @Test func aPipelineThatKeepsUpOrABusyPipelineOnAThinStreamKeepsTheTarget() {
        var size = AdaptiveBatchSize(minimum: 500, maximum: 5_000)
        size.batchClosed(.full, pipelineBusy: true)
        size.batchClosed(.full, pipelineBusy: false)
        #expect(size.target == 1_000)
        size.batchClosed(.deadline, pipelineBusy: true)
        #expect(size.target == 1_000)
    }

    @Test func equalBoundsMakeAFixedSize() {
        var size = AdaptiveBatchSize(minimum: 500, maximum: 500)
        size.batchClosed(.full, pipelineBusy: true)
        #expect(size.target == 500)
        size.batchClosed(.deadline, pipelineBusy: false)
        #expect(size.target == 500)
    }

    @Test func boundsAreMadeConsistent() {
        let size = AdaptiveBatchSize(minimum: 0, maximum: -3)
        #expect(size.minimum == 1 && size.maximum == 1 && size.target == 1)
        let crossed = AdaptiveBatchSize(minimum: 800, maximum: 100)
        #expect(crossed.minimum == 100 && crossed.maximum == 100 && crossed.target == 100)
    }

    @Test func theCeilingIsReachedWithoutOverflow() {
        var size = AdaptiveBatchSize(minimum: 1, maximum: Int.max)
        for _ in 0..<70 { size.batchClosed(.full, pipelineBusy: true) }
        #expect(size.target == Int.max)
    }

    @Test func memoryOverItsTargetHalvesTheTargetAndStopsGrowth() {
        var size = AdaptiveBatchSize(minimum: 500, maximum: 40_000)
        for _ in 0..<7 { size.batchClosed(.full, pipelineBusy: true) }
        #expect(size.target == 40_000)
        // A backlog would grow it; memory over the target halves it instead, down to the minimum.
        size.batchClosed(.full, pipelineBusy: true, memoryHigh: true)
        #expect(size.target == 20_000)
        size.batchClosed(.deadline, pipelineBusy: true, memoryHigh: true)
        #expect(size.target == 10_000)
        for _ in 0..<10 { size.batchClosed(.full, pipelineBusy: true, memoryHigh: true) }
        #expect(size.target == 500)
        // Back under the target, the backlog grows it again.
        size.batchClosed(.full, pipelineBusy: true, memoryHigh: false)
        #expect(size.target == 1_000)
    }
}
