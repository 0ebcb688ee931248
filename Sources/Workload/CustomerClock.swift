/// Chooses occurred_at (in milliseconds) so that a customer's events never tie,
/// which keeps the oracle independent of read order.
///
/// In-order event number i occurs at `start + i * 1000` (a whole second: unique
/// across all events). A late event goes back at least one second before the
/// customer's previous event and takes a millisecond residue of 1...999 that is
/// its own among the customer's late events. After 999 late events a customer's
/// further late events go below all of its earlier ones instead.
struct CustomerClock: Sendable {
    static let millisecondsBetweenEvents: Int64 = 1000
    private static let lateResidues = 999

    private var previousMillis: Int64?
    private var earliestMillis: Int64 = .max
    private var lateEvents = 0

    var hasEvents: Bool { previousMillis != nil }

    mutating func inOrder(index: Int, startMillis: Int64) -> Int64 {
        record(startMillis + Int64(index) * Self.millisecondsBetweenEvents)
    }

    /// Earlier than the previous event, by less than `lateSeconds` + 1 s; call only when `hasEvents`.
    mutating func late(startMillis: Int64, lateSeconds: Int, _ random: inout SplitMix64) -> Int64 {
        guard let previous = previousMillis else { preconditionFailure("no previous event to be late against") }
        defer { lateEvents += 1 }
        if lateEvents < Self.lateResidues {
            let step = Self.millisecondsBetweenEvents
            let previousSecond = (previous - startMillis).floorDivided(by: step)
            // Minutes late by default, as retries and slow producers are.
            let second = previousSecond - 1 - Int64(random.next(below: lateSeconds))
            return record(startMillis + second * step + Int64(lateEvents + 1))
        }
        return record(earliestMillis - 1 - Int64(random.next(below: 60_000)))
    }

    private mutating func record(_ millis: Int64) -> Int64 {
        previousMillis = millis
        earliestMillis = min(earliestMillis, millis)
        return millis
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
