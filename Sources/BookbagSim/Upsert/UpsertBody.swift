import ContactSyncCore

/// An upsert body, parsed, with the text of each entry of the root's `users`
/// and `contacts` arrays exactly as received (for the upsert log).
struct UpsertBody {
    /// Contact bodies nest three levels; anything far deeper is refused.
    static let maximumDepth = 32

    var root: JSONValue
    var rawEntries: [String: [String]] = [:]

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONReadError) -> UpsertBody {
        var reader = JSONByteReader(bytes: bytes)
        guard reader.peekAfterWhitespace() == UInt8(ascii: "{") else {
            // Refused for its shape anyway: nothing to keep for the log.
            let root = try reader.readValue(maxDepth: maximumDepth)
            try reader.expectEnd()
            return UpsertBody(root: root)
        }
        var members = [String: JSONValue]()
        var rawEntries: [String: [String]] = [:]
        try reader.readObject { (key, reader: inout JSONByteReader) throws(JSONReadError) in
            guard key == "users" || key == "contacts" else {
                members[key] = try reader.readValue(depth: 1, maxDepth: maximumDepth)
                return
            }
            rawEntries[key] = nil  // a repeated key: the last one wins
            guard reader.peekAfterWhitespace() == UInt8(ascii: "[") else {
                members[key] = try reader.readValue(depth: 1, maxDepth: maximumDepth)
                return
            }
            var entries: [JSONValue] = []
            var texts: [String] = []
            try reader.readArray { (reader: inout JSONByteReader) throws(JSONReadError) in
                reader.skipWhitespace()
                let start = reader.position
                entries.append(try reader.readValue(depth: 2, maxDepth: maximumDepth))
                texts.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<reader.position]), as: UTF8.self))
            }
            members[key] = .array(entries)
            rawEntries[key] = texts
        }
        try reader.expectEnd()
        return UpsertBody(root: .object(members), rawEntries: rawEntries)
    }
}
