import ContactSyncCore

/// One entry of one upsert request, as `GET /_sim/upserts` reports it.
public struct SimUpsertRecord: Sendable, Equatable {
    /// The upsert request's sequence number (1 for the first since start or reset).
    public var request: Int
    public var externalID: String
    /// The status the request was answered with (200, 400 or 422).
    public var status: Int
    /// Whether this entry was stored (false when the request was refused or the entry got a per-entry error).
    public var stored: Bool
    /// The entry's JSON text exactly as received.
    public var entryJSON: String
    /// Unix seconds.
    public var receivedAt: Double

    /// The entry as received, parsed.
    public var entry: JSONValue? { try? JSONValue.parse(entryJSON) }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("request")
        writer.number(request)
        writer.key("external_id")
        writer.string(externalID)
        writer.key("status")
        writer.number(status)
        writer.key("stored")
        writer.bool(stored)
        writer.key("received_at")
        writer.number(receivedAt)
        writer.key("entry")
        writer.rawJSON(entryJSON)
        writer.endObject()
    }
}

/// A ring of the most recent upsert entries; the oldest are forgotten first.
struct UpsertLog {
    let capacity: Int
    private var records: [SimUpsertRecord] = []
    /// Where the next record goes once the ring is full.
    private var nextSlot = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    mutating func append(_ record: SimUpsertRecord) {
        guard capacity > 0 else { return }
        if records.count < capacity {
            records.append(record)
        } else {
            records[nextSlot] = record
            nextSlot = (nextSlot + 1) % capacity
        }
    }

    /// Oldest first.
    func records(for externalID: String) -> [SimUpsertRecord] {
        let ordered = records[nextSlot...] + records[..<nextSlot]
        return ordered.filter { $0.externalID == externalID }
    }
}
