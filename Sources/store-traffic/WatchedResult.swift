import ContactSyncCore

/// What `watch` needs of one result record, read with Core's byte reader.
/// (`JSONSerialization` and a formatted string per source cost the watcher
/// about 0.7 of the CPU the service it measures used, on the same two cores.)
struct WatchedResult {
    var status: String
    var externalID: String
    var sources: [RecordSource]

    init?(_ bytes: UnsafeRawBufferPointer) {
        var reader = JSONByteReader(bytes: bytes)
        let value = try? reader.readValue(maxDepth: 8)
        guard case .object(let object)? = value else { return nil }
        status = object["status"].flatMap(Self.string) ?? "?"
        externalID = object["external_id"].flatMap(Self.string) ?? ""
        guard case .array(let entries)? = object["sources"] else {
            sources = []
            return
        }
        sources = entries.compactMap { entry in
            guard case .object(let source) = entry, let topic = source["topic"].flatMap(Self.string),
                case .number(let partition)? = source["partition"], case .number(let offset)? = source["offset"]
            else { return nil }
            return RecordSource(topic: topic, partition: Int32(partition), offset: Int64(offset))
        }
    }

    private static func string(_ value: JSONValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }
}
