import ContactSyncCore

/// What `store-traffic watch` counts of the result topic: results by status,
/// the contacts synced, and the distinct input records the results account for.
///
/// The watcher shares the two cores with the service it measures, so each
/// result is read in one pass over its bytes (no tree, the values it does not
/// need skipped) and each source is kept as three integers, its topic named by
/// a small table. Keeping `RecordSource`s (a topic string hashed per source)
/// and a tree per result cost the watcher 0.7 CPU seconds per 200,000 events,
/// beside the service's 1.7.
public struct ResultWatchTally {
    public private(set) var statusCounts: [String: Int] = [:]
    public private(set) var syncedContacts: Set<String> = []
    private var topics: [String] = []
    private var accounted: Set<Source> = []

    private struct Source: Hashable {
        var topic: Int32
        var partition: Int32
        var offset: Int64
    }

    /// `expectedEvents` sizes the set of accounted records up front.
    public init(expectedEvents: Int = 0) {
        accounted.reserveCapacity(expectedEvents)
    }

    /// Distinct input records named by the results so far.
    public var accountedEvents: Int { accounted.count }

    public var resultCount: Int { statusCounts.values.reduce(0, +) }

    /// Counts one result record; false (and nothing counted) when the bytes are
    /// not a JSON object.
    @discardableResult
    public mutating func add(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = JSONByteReader(bytes: bytes)
        var status = "?"
        var externalID = ""
        var sources: [Source] = []
        do throws(JSONReadError) {
            guard reader.peekAfterWhitespace() == UInt8(ascii: "{") else { return false }
            try reader.readObject { (key, reader: inout JSONByteReader) throws(JSONReadError) in
                switch key {
                case "status": status = try Self.string(&reader) ?? status
                case "external_id": externalID = try Self.string(&reader) ?? externalID
                case "sources":
                    guard reader.peekAfterWhitespace() == UInt8(ascii: "[") else {
                        try Self.skip(&reader)
                        return
                    }
                    try reader.readArray { (reader: inout JSONByteReader) throws(JSONReadError) in
                        if let source = try readSource(&reader) { sources.append(source) }
                    }
                default: try Self.skip(&reader)
                }
            }
        } catch {
            return false
        }
        statusCounts[status, default: 0] += 1
        if status == "synced" { syncedContacts.insert(externalID) }
        for source in sources { accounted.insert(source) }
        return true
    }

    /// Results nest three deep; the bound only stops hostile input early.
    private static let maxDepth = 8

    private static func skip(_ reader: inout JSONByteReader) throws(JSONReadError) {
        try reader.skipValue(enclosingDepth: 0, maxDepth: maxDepth)
    }

    /// One `{"topic":…,"partition":…,"offset":…}`; nil when a member is missing or of another kind.
    private mutating func readSource(_ reader: inout JSONByteReader) throws(JSONReadError) -> Source? {
        guard reader.peekAfterWhitespace() == UInt8(ascii: "{") else {
            try Self.skip(&reader)
            return nil
        }
        var topic: String?
        var partition: Double?
        var offset: Double?
        try reader.readObject { (key, reader: inout JSONByteReader) throws(JSONReadError) in
            switch key {
            case "topic": topic = try Self.string(&reader)
            case "partition": partition = try Self.number(&reader)
            case "offset": offset = try Self.number(&reader)
            default: try Self.skip(&reader)
            }
        }
        guard let topic, let partition = partition.flatMap(Int32.init(exactly:)),
            let offset = offset.flatMap(Int64.init(exactly:))
        else { return nil }
        return Source(topic: topicIndex(topic), partition: partition, offset: offset)
    }

    /// Topics are few (the input topics), so a linear search beats hashing each one.
    private mutating func topicIndex(_ topic: String) -> Int32 {
        if let index = topics.firstIndex(of: topic) { return Int32(index) }
        topics.append(topic)
        return Int32(topics.count - 1)
    }

    /// The string at the cursor, or nil (the value skipped) when it is another kind.
    private static func string(_ reader: inout JSONByteReader) throws(JSONReadError) -> String? {
        guard reader.peekAfterWhitespace() == UInt8(ascii: "\"") else {
            try skip(&reader)
            return nil
        }
        guard case .string(let text) = try reader.readValue(maxDepth: 0) else { return nil }
        return text
    }

    /// The number at the cursor, or nil (the value skipped) when it is another kind.
    private static func number(_ reader: inout JSONByteReader) throws(JSONReadError) -> Double? {
        guard let first = reader.peekAfterWhitespace(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else {
            try skip(&reader)
            return nil
        }
        guard case .number(let value) = try reader.readValue(maxDepth: 0) else { return nil }
        return value
    }
}
