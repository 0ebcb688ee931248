import FoundationEssentials

/// Pure work on the slices of an array at once, one slice per core: the first
/// on the calling task, the others as child tasks. Between a batch's arrival
/// and its acknowledgement each stage runs alone (BENCHMARKS.md, session 22:
/// the two cores half idle), so decoding and result encoding, which need no
/// shared state, take both cores; the caller reads the parts in order, so
/// nothing downstream changes. Folding splits by contact instead
/// (`ContactFolders`, through `each`).
enum SplitWork {
    /// The cores the cooperative pool can use.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// How many parts `count` items make: at most `parts`, each of at least
    /// `minimumPerPart` items (below that a child task costs more than it saves).
    static func partCount(_ count: Int, parts: Int, minimumPerPart: Int) -> Int {
        max(1, min(parts, count / max(1, minimumPerPart)))
    }

    /// `transform` of each of `partCount(...)` contiguous slices of `items`, in
    /// the order of the slices.
    static func map<Element: Sendable, Output: Sendable>(
        _ items: ArraySlice<Element>, parts: Int = cores, minimumPerPart: Int,
        _ transform: @escaping @Sendable (ArraySlice<Element>) -> Output
    ) async -> [Output] {
        let count = partCount(items.count, parts: parts, minimumPerPart: minimumPerPart)
        if count == 1 { return [transform(items)] }
        let bounds = (0...count).map { items.startIndex + items.count * $0 / count }
        return await each(count) { part in transform(items[bounds[part]..<bounds[part + 1]]) }
    }

    /// `transform(part)` for each part in `0..<parts`, in that order: the first
    /// on the calling task, the others as child tasks.
    static func each<Output: Sendable>(_ parts: Int, _ transform: @escaping @Sendable (Int) -> Output) async -> [Output] {
        if parts <= 1 { return [transform(0)] }
        return await withTaskGroup(of: (Int, Output).self) { group in
            for part in 1..<parts { group.addTask { (part, transform(part)) } }
            let first = transform(0)
            var others: [(Int, Output)] = []
            others.reserveCapacity(parts - 1)
            for await output in group { others.append(output) }
            others.sort { $0.0 < $1.0 }
            return [first] + others.map(\.1)
        }
    }
}
