/// One record of the dead-letter topic: a copy of a `rejected` or `failed`
/// input record with the reason (contracts section 4).
public struct DeadLetterRecord: Sendable {
    public static let schema = "contact-sync.dead-letter.v1"

    public var source: RecordSource
    /// The original Kafka key and value, as consumed; nil when the record had
    /// none (a tombstone has a nil value).
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// The original record's headers, in order, so that a replay is exact.
    public var headers: [RecordHeader]
    public var error: SyncError
    public var decidedAt: Timestamp
    public var externalID: String?
    public var eventIDs: [String]

    public init(
        source: RecordSource, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [], error: SyncError,
        decidedAt: Timestamp, externalID: String? = nil, eventIDs: [String] = []
    ) {
        self.source = source
        self.key = key
        self.value = value
        self.headers = headers
        self.error = error
        self.decidedAt = decidedAt
        self.externalID = externalID
        self.eventIDs = eventIDs
    }

    /// The whole record, nothing cut: `{"schema","source","key_base64","value_base64","truncated",
    /// "key_size","key_sha256","value_size","value_sha256","error","decided_at","external_id","event_ids",
    /// "headers"}`. Headers are never cut: they are part of the fixed size.
    public func jsonBytes() -> [UInt8] {
        json(Cut(key: key?.count ?? 0, value: value?.count ?? 0, eventIDs: eventIDs.count), digests: digests())
    }
}

// MARK: - Fitting a size limit

extension DeadLetterRecord {
    /// A dead letter ready to publish: its Kafka key and JSON value.
    public struct Message: Sendable, Equatable {
        public var key: [UInt8]?
        public var value: [UInt8]
        /// Whether anything was cut to fit (the JSON says `"truncated": true`).
        public var truncated: Bool

        /// Bytes the producer counts against its limit (key plus value).
        public var size: Int { (key?.count ?? 0) + value.count }
    }

    /// A larger original key is not reused as the dead letter's Kafka key (it
    /// would leave no room for the value); the JSON still carries its prefix,
    /// size and digest.
    public static let maxMessageKeyBytes = 1024

    /// The Kafka key of the dead letter: the external_id when it could be read
    /// (as for results, so that `contact-sync results trace` finds a contact's
    /// dead letters in one partition), else the original key when it is small.
    public var messageKey: [UInt8]? {
        if let externalID { return Array(externalID.utf8) }
        return key.flatMap { $0.count <= Self.maxMessageKeyBytes ? $0 : nil }
    }

    /// The dead letter as one message of at most `maxBytes` (key plus value).
    /// When the whole record does not fit, the key and value are cut to a
    /// prefix (base64 of whole 3-byte groups) and their original sizes and
    /// SHA-256 digests say what was there; should even that not fit, trailing
    /// event_ids are dropped too. Nil only when `maxBytes` cannot hold the
    /// record with empty prefixes and no event_ids (a few hundred bytes).
    public func message(maxBytes: Int) -> Message? {
        let messageKey = self.messageKey
        let budget = maxBytes - (messageKey?.count ?? 0)
        let digests = digests()
        let whole = json(Cut(key: key?.count ?? 0, value: value?.count ?? 0, eventIDs: eventIDs.count), digests: digests)
        if whole.count <= budget { return Message(key: messageKey, value: whole, truncated: false) }

        var cut = Cut(key: 0, value: 0, eventIDs: eventIDs.count, truncated: true)
        var fixed = json(cut, digests: digests).count
        if fixed > budget {
            guard let fitting = mostEventIDs(fitting: budget, digests: digests) else { return nil }
            cut.eventIDs = fitting.count
            fixed = fitting.size
        }
        // Base64 needs no escaping, so each prefix adds exactly its encoded length.
        let room = Self.shareRoom(budget - fixed, keyChars: Self.base64Length(key), valueChars: Self.base64Length(value))
        cut.key = min(key?.count ?? 0, room.key / 4 * 3)
        cut.value = min(value?.count ?? 0, room.value / 4 * 3)
        return Message(key: messageKey, value: json(cut, digests: digests), truncated: true)
    }

    /// How much of each payload is kept, in bytes, and how many event_ids.
    struct Cut {
        var key: Int
        var value: Int
        var eventIDs: Int
        var truncated = false
    }

    struct Digests {
        var key: String?
        var value: String?
    }

    func digests() -> Digests {
        Digests(key: key.map { SHA256.hexDigest($0) }, value: value.map { SHA256.hexDigest($0) })
    }

    /// Splits `room` base64 characters: a payload that needs at most half gets
    /// all it needs and the other the rest; otherwise each gets half.
    static func shareRoom(_ room: Int, keyChars: Int, valueChars: Int) -> (key: Int, value: Int) {
        let half = room / 2
        if keyChars <= half { return (keyChars, room - keyChars) }
        if valueChars <= half { return (room - valueChars, valueChars) }
        return (half, room - half)
    }

    static func base64Length(_ bytes: [UInt8]?) -> Int { ((bytes?.count ?? 0) + 2) / 3 * 4 }

    /// The largest count of leading event_ids whose record (empty prefixes)
    /// fits `budget`, and that record's size; nil when none does.
    private func mostEventIDs(fitting budget: Int, digests: Digests) -> (count: Int, size: Int)? {
        func size(_ count: Int) -> Int { json(Cut(key: 0, value: 0, eventIDs: count, truncated: true), digests: digests).count }
        let smallest = size(0)
        guard smallest <= budget else { return nil }
        var (fits, tooMany) = (0, eventIDs.count)
        var fitsSize = smallest
        while tooMany - fits > 1 {
            let middle = (fits + tooMany) / 2
            let middleSize = size(middle)
            if middleSize <= budget { (fits, fitsSize) = (middle, middleSize) } else { tooMany = middle }
        }
        return (fits, fitsSize)
    }

    func json(_ cut: Cut, digests: Digests) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + (cut.key + cut.value) / 3 * 4 + cut.eventIDs * 24)
        json.beginObject()
        json.key(literal: "schema")
        json.string(Self.schema)
        json.key(literal: "source")
        json.recordSource(source)
        json.key(literal: "key_base64")
        if let key { json.base64String(key.prefix(cut.key)) } else { json.null() }
        json.key(literal: "value_base64")
        if let value { json.base64String(value.prefix(cut.value)) } else { json.null() }
        json.key(literal: "truncated")
        json.bool(cut.truncated)
        json.key(literal: "key_size")
        json.number(key?.count)
        json.key(literal: "key_sha256")
        json.string(digests.key)
        json.key(literal: "value_size")
        json.number(value?.count)
        json.key(literal: "value_sha256")
        json.string(digests.value)
        json.key(literal: "error")
        json.syncError(error)
        json.key(literal: "decided_at")
        json.plainString { decidedAt.appendRFC3339Millis(to: &$0) }
        json.key(literal: "external_id")
        json.string(externalID)
        json.key(literal: "event_ids")
        json.stringArray(eventIDs.prefix(cut.eventIDs))
        json.key(literal: "headers")
        json.beginArray()
        for header in headers {
            json.beginObject()
            json.key(literal: "name")
            json.string(header.name)
            json.key(literal: "value_base64")
            if let value = header.value { json.base64String(value) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
