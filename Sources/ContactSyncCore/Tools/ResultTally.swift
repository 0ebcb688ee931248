/// What `contact-sync results watch` shows per interval: results by status,
/// the events they account for, and the most frequent error codes.
public struct ResultTally: Sendable, Equatable {
    public private(set) var results: [String: Int] = [:]
    public private(set) var events = 0
    public private(set) var errorCodes: [String: Int] = [:]

    public init() {}

    /// One result record: its status, how many events it names, and its error code if any.
    public mutating func add(status: String, events: Int, errorCode: String?) {
        results[status, default: 0] += 1
        self.events += events
        if let errorCode { errorCodes[errorCode, default: 0] += 1 }
    }

    public var resultCount: Int { results.values.reduce(0, +) }

    /// The `limit` most frequent codes, most frequent first (ties by name).
    public func topErrorCodes(_ limit: Int = 5) -> [(code: String, count: Int)] {
        errorCodes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(limit).map { ($0.key, $0.value) }
    }

    /// One JSON line for a script: `{"at":…,"interval_seconds":…,"results":{status:n},"events":n,
    /// "events_per_second":x,"top_error_codes":[{"code":…,"count":n}],"lag":{"total":n,"max":n,"max_partition":"t/p"}}`.
    public func jsonLine(at time: Timestamp, intervalSeconds: Double, lag: GroupLag?) -> String {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("at")
        json.string(time.rfc3339Millis)
        json.key("interval_seconds")
        json.number(intervalSeconds)
        json.key("results")
        json.beginObject()
        for status in Self.statuses {
            json.key(status)
            json.number(results[status] ?? 0)
        }
        json.endObject()
        json.key("events")
        json.number(events)
        json.key("events_per_second")
        json.number(intervalSeconds > 0 ? (Double(events) / intervalSeconds * 10).rounded() / 10 : 0)
        json.key("top_error_codes")
        json.beginArray()
        for (code, count) in topErrorCodes() {
            json.beginObject()
            json.key("code")
            json.string(code)
            json.key("count")
            json.number(count)
            json.endObject()
        }
        json.endArray()
        json.key("lag")
        if let lag {
            json.beginObject()
            json.key("total")
            json.number(Int(lag.total))
            json.key("max")
            json.number(Int(lag.max))
            json.key("max_partition")
            json.string(lag.maxPartition)
            json.endObject()
        } else {
            json.null()
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// The lines of a terminal table.
    public func tableLines(at time: Timestamp, intervalSeconds: Double, lag: GroupLag?) -> [String] {
        var lines = ["contact-sync results  \(time.rfc3339Millis)  (last \(Int(intervalSeconds)) s)", ""]
        lines.append("  status      results")
        for status in Self.statuses { lines.append("  \(status.padding(10))  \(results[status] ?? 0)") }
        let rate = intervalSeconds > 0 ? Double(events) / intervalSeconds : 0
        lines.append("")
        lines.append("  events      \(events)  (\(Int(rate.rounded())) /s)")
        if let lag {
            lines.append("  group lag   \(lag.total) records (largest: \(lag.max) on \(lag.maxPartition))")
        } else {
            lines.append("  group lag   unknown (no committed offsets, or the broker did not answer)")
        }
        let codes = topErrorCodes()
        lines.append("")
        lines.append(codes.isEmpty ? "  no errors" : "  top error codes")
        for (code, count) in codes { lines.append("    \(code.padding(28))  \(count)") }
        return lines
    }

    static let statuses = ["synced", "unchanged", "rejected", "failed"]
}

/// The consumer group's lag over the input partitions: records not yet committed.
public struct GroupLag: Sendable, Equatable {
    public var total: Int64
    public var max: Int64
    /// `topic/partition` of the largest.
    public var maxPartition: String

    public init(total: Int64, max: Int64, maxPartition: String) {
        self.total = total
        self.max = max
        self.maxPartition = maxPartition
    }

    /// From per-partition (end offset, committed offset) pairs; a partition
    /// without a committed offset counts from its start (`low`).
    public static func of(_ partitions: [(name: String, low: Int64, high: Int64, committed: Int64?)]) -> GroupLag {
        var lag = GroupLag(total: 0, max: 0, maxPartition: "-")
        for partition in partitions {
            let behind = Swift.max(0, partition.high - (partition.committed ?? partition.low))
            lag.total += behind
            if behind > lag.max || lag.maxPartition == "-" {
                lag.max = behind
                lag.maxPartition = partition.name
            }
        }
        return lag
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
