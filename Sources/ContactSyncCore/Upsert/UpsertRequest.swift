/// The body of `POST /api/v1/chatbots/{chatbotId}/contacts` (contracts section 2),
/// and how a batch of entries is cut into requests.
public enum UpsertRequest {
    /// Bookbag's own cap on entries per request.
    public static let maximumEntriesPerRequest = 1000

    /// `{"users":[{"external_id":..,"email":..,"name":..,"phonenumber":..,"custom_attributes":{..}}]}`.
    /// An `.absent` field is left out (Bookbag leaves it unchanged), `.clear` is
    /// sent as `null`, and `custom_attributes` is left out when there are none.
    public static func body(for entries: [UpsertEntry]) -> [UInt8] {
        encode(entries)
    }

    /// The same for a slice, so bisection can encode a sub-range without copying entries.
    public static func body(for entries: ArraySlice<UpsertEntry>) -> [UInt8] {
        encode(entries)
    }

    private static func encode(_ entries: some Collection<UpsertEntry>) -> [UInt8] {
        var json = JSONWriter(capacity: 16 + entries.count * 160)
        json.beginObject()
        json.key(literal: "users")
        json.beginArray()
        for entry in entries { write(entry, to: &json) }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private static func write(_ entry: UpsertEntry, to json: inout JSONWriter) {
        json.beginObject()
        json.key(literal: "external_id")
        json.string(entry.externalID)
        write(entry.email, as: "email", to: &json)
        write(entry.name, as: "name", to: &json)
        write(entry.phoneNumber, as: "phonenumber", to: &json)
        if !entry.customAttributes.isEmpty {
            json.key(literal: "custom_attributes")
            json.beginObject()
            for attribute in entry.customAttributes {
                json.key(attribute.name)
                json.attributeValue(attribute.value)
            }
            json.endObject()
        }
        json.endObject()
    }

    private static func write(_ change: FieldChange<String>, as key: String, to json: inout JSONWriter) {
        switch change {
        case .absent:
            return
        case .clear:
            json.key(key)
            json.null()
        case .set(let value):
            json.key(key)
            json.string(value)
        }
    }
}

extension JSONWriter {
    /// A custom attribute value as JSON: string, number, boolean or null.
    public mutating func attributeValue(_ value: AttributeValue) {
        switch value {
        case .string(let text): string(text)
        case .number(let number): self.number(number)
        case .bool(let flag): bool(flag)
        case .null: null()
        }
    }
}
