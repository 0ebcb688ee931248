/// A record of the clock changelog topic: a contact's full clock set. The
/// Kafka key is the external_id; the value is binary (format 2,
/// `binaryValue()`, schemas/clock-record.md). Format 1, which earlier versions
/// wrote and which is still read, is this record as JSON (schemas/clock.schema.json):
///
///     {"external_id":"c-1","writer":"…","fields":{"email":{"occurred_at":"2026-11-24T10:15:00.123Z",
///      "digest":"0123456789abcdef"},"custom_attributes":{"plan":{…}}}}
///
/// `occurred_at` is RFC 3339 in UTC, exact to the nanosecond; `digest` is 16
/// lowercase hex digits. `writer` (optional) names the process that produced
/// the record, so that it can skip applying its own records again.
public struct ClockChangelogRecord: Sendable, Equatable {
    public var externalID: String
    public var clocks: ContactClocks
    public var writer: String?

    public init(externalID: String, clocks: ContactClocks, writer: String? = nil) {
        self.externalID = externalID
        self.clocks = clocks
        self.writer = writer
    }

    /// The format-1 value (JSON), which contact-sync wrote before format 2
    /// (`binaryValue()`) and still reads: fields in canonical order (email,
    /// name, phone, then `custom_attributes` by name, present only when there
    /// is one).
    public func jsonBytes() -> [UInt8] {
        var json = JSONWriter(capacity: 96 + clocks.count * 80)
        json.object { json in
            if let writer {
                json.key(literal: "writer")
                json.string(writer)
            }
            json.key(literal: "external_id")
            json.string(externalID)
            json.key(literal: "fields")
            json.object { json in
                var attributesOpen = false
                for entry in clocks {
                    switch entry.field {
                    case .email: json.key(literal: "email")
                    case .name: json.key(literal: "name")
                    case .phone: json.key(literal: "phone")
                    case .attribute(let name):
                        if !attributesOpen {
                            json.key(literal: "custom_attributes")
                            json.beginObject()
                            attributesOpen = true
                        }
                        json.key(name)
                    }
                    Self.write(entry.clock, to: &json)
                }
                if attributesOpen { json.endObject() }
            }
        }
        return json.bytes
    }

    private static func write(_ clock: FieldClock, to json: inout JSONWriter) {
        json.beginObject()
        json.key(literal: "occurred_at")
        json.plainString { clock.occurredAt.appendRFC3339Nanos(to: &$0) }
        json.key(literal: "digest")
        json.plainString { appendHex(clock.digest, to: &$0) }
        json.endObject()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 16 lowercase hex digits, appended.
    static func appendHex(_ digest: UInt64, to out: inout [UInt8]) {
        for index in 0..<16 {
            out.append(hexDigits[Int(digest >> UInt64(60 - 4 * index) & 0xF)])
        }
    }
}
