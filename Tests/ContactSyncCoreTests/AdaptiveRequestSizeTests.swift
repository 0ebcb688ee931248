import ContactSyncCore
import Testing

@Suite struct AdaptiveRequestSizeTests {
    @Test func aRateLimitGrowsRequestsBeforeAskingForLessConcurrency() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        var answers: [AdaptiveRequestSize.RateLimitedResponse] = []
        var sizes: [Int] = []
        for _ in 0..<6 {
            answers.append(size.recordRateLimited())
            sizes.append(size.current)
        }
        #expect(sizes == [200, 400, 800, 1_000, 1_000, 1_000])
        #expect(answers == [.grewRequests, .grewRequests, .grewRequests, .grewRequests, .cutConcurrency, .cutConcurrency])
    }

    @Test func steadyLatencyKeepsTheSize() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        _ = size.recordRateLimited()
        for index in 0..<200 { size.recordLatency(seconds: 0.020 + Double(index % 5) * 0.001) }
        #expect(size.current == 200)
    }

    @Test func aLatencySpikeShrinksItByATenthDownToTheMinimum() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        for _ in 0..<4 { _ = size.recordRateLimited() }
        for index in 0..<10 { size.recordLatency(seconds: 0.020 + Double(index % 2) * 0.002) }
        #expect(size.current == 1_000)
        size.recordLatency(seconds: 0.5)
        #expect(size.current == 900)
        // Latency that keeps rising keeps shrinking it, never below the minimum.
        var latency = 0.5
        for _ in 0..<200 {
            latency *= 1.6
            size.recordLatency(seconds: latency)
        }
        #expect(size.current == 100)
    }

    @Test func noSpikeIsSeenBeforeTheAverageHasSamples() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        _ = size.recordRateLimited()
        size.recordLatency(seconds: 0.01)
        size.recordLatency(seconds: 5)
        #expect(size.current == 200)
    }

    @Test func nonsenseLatenciesAreIgnored() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        _ = size.recordRateLimited()
        for _ in 0..<10 { size.recordLatency(seconds: 0.02) }
        let before = size
        size.recordLatency(seconds: .nan)
        size.recordLatency(seconds: -1)
        size.recordLatency(seconds: .infinity)
        #expect(size == before)
    }

    @Test func equalBoundsMakeAFixedSizeAndCutConcurrencyAtOnce() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 100)
        #expect(size.recordRateLimited() == .cutConcurrency)
        #expect(size.current == 100)
    }
}
