extension UpsertRequest {
    /// Cuts `count` entries into contiguous ranges of at most `maxPerRequest`
    /// (clamped to 1...1000, Bookbag's limit), in order. Empty when `count <= 0`.
    public static func chunks(_ count: Int, maxPerRequest: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let size = min(max(maxPerRequest, 1), maximumEntriesPerRequest)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// Splits a refused request's range in two (the lower half gets the smaller
    /// share when odd), so retrying the halves isolates refused entries in
    /// about log2(count) rounds. `nil` when the range holds one entry or none:
    /// that entry is the refused one.
    public static func halves(_ range: Range<Int>) -> (Range<Int>, Range<Int>)? {
        guard range.count > 1 else { return nil }
        let middle = range.lowerBound + range.count / 2
        return (range.lowerBound..<middle, middle..<range.upperBound)
    }
}
