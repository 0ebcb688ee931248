/// Cumulative bucket counts of a Prometheus histogram in exposition text, by `le`.
func histogram(_ text: String, _ name: String) -> [String: Int] {
    var buckets: [String: Int] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("\(name)_bucket{") {
        guard let le = line.range(of: "le=\""), let end = line[le.upperBound...].firstIndex(of: "\""),
            let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { continue }
        buckets[String(line[le.upperBound..<end])] = Int(value)
    }
    return buckets
}

/// The value of an unlabelled series (a gauge or counter) in exposition text.
func sampleValue(_ text: String, _ name: String) -> Double? {
    text.split(separator: "\n").first { $0.hasPrefix("\(name) ") }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
}
