/// How many upsert requests may be in flight: additive increase, multiplicative
/// decrease (AIMD), driven by Bookbag's 429s.
public struct AdaptiveConcurrencyLimit: Sendable {
    public let minimum: Int
    public let maximum: Int
    public private(set) var current: Int
    /// Bumped on every decrease, so 429s from requests sent before it can be ignored.
    public private(set) var generation = 0
    private var successesSinceChange = 0

    /// `minimum` is at least 1 and `maximum` at least `minimum`; `initial` is clamped between them.
    public init(initial: Int, minimum: Int = 1, maximum: Int) {
        self.minimum = max(minimum, 1)
        self.maximum = max(maximum, self.minimum)
        current = min(max(initial, self.minimum), self.maximum)
    }

    /// +1 once `current` requests in a row have succeeded (about one step per round trip).
    public mutating func recordSuccess() {
        successesSinceChange += 1
        guard successesSinceChange >= current else { return }
        successesSinceChange = 0
        current = min(current + 1, maximum)
    }

    /// Halves the limit, not below `minimum`.
    public mutating func recordRateLimited() {
        successesSinceChange = 0
        current = max(current / 2, minimum)
        generation &+= 1
    }

    /// Halves only when the rate-limited request was sent at the current
    /// `generation`: a burst of 429s from one window of requests halves once.
    public mutating func recordRateLimited(sentInGeneration sentGeneration: Int) {
        guard sentGeneration == generation else { return }
        recordRateLimited()
    }
}
