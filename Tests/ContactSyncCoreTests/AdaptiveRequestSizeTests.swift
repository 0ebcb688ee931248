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

@Suite struct RequestSpreadTests {
    @Test func aBatchSpreadsOverTheRequestsInFlightWithinTheBounds() {
        let size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        #expect(size.users(for: 2_000, slots: 4) == 500, "one round trip: 4 requests of 500")
        #expect(size.users(for: 2_001, slots: 4) == 501, "rounded up, so 4 requests still do")
        #expect(size.users(for: 150, slots: 4) == 100, "never below the current size")
        #expect(size.users(for: 9_000, slots: 4) == 1_000, "never above the maximum")
        #expect(size.users(for: 700, slots: 1) == 700, "one request at a time (after a 429) takes them all")
        #expect(size.users(for: 700, slots: 0) == 700, "no slots counts as one")
        #expect(UpsertRequest.chunks(2_001, maxPerRequest: size.users(for: 2_001, slots: 4)).count == 4)
    }

    @Test func aLatencySpikeLowersTheCeilingAndOrdinaryAnswersRaiseItAgain() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        for index in 0..<10 { size.recordLatency(seconds: 0.020 + Double(index % 2) * 0.002) }
        #expect(size.ceiling == 1_000 && size.users(for: 4_000, slots: 4) == 1_000)
        size.recordLatency(seconds: 0.5)
        #expect(size.ceiling == 900 && size.users(for: 4_000, slots: 4) == 900)
        #expect(size.current == 100, "the floor stays at the minimum")
        for _ in 0..<20 { size.recordLatency(seconds: 0.021) }
        #expect(size.ceiling == 1_000, "back by 10 users per ordinary answer, up to the maximum")
    }

    @Test func growingOnA429KeepsTheCeilingAboveTheFloor() {
        var size = AdaptiveRequestSize(minimum: 100, maximum: 1_000)
        for index in 0..<10 { size.recordLatency(seconds: 0.020 + Double(index % 2) * 0.002) }
        size.recordLatency(seconds: 0.5)
        for _ in 0..<4 { _ = size.recordRateLimited() }
        #expect(size.current == 1_000 && size.ceiling == 1_000)
        #expect(size.users(for: 10, slots: 4) == 1_000, "a 429 at the floor asks for fewer, larger requests: the whole part in one")
    }
}
