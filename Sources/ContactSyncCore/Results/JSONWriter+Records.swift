extension JSONWriter {
    /// `{"topic":..,"partition":..,"offset":..}`
    mutating func recordSource(_ source: RecordSource) {
        beginObject()
        key(literal: "topic")
        string(source.topic)
        key(literal: "partition")
        number(Int64(source.partition))
        key(literal: "offset")
        number(source.offset)
        endObject()
    }

    /// `{"code":..,"message":..}` or `null`.
    mutating func syncError(_ error: SyncError?) {
        guard let error else { return null() }
        beginObject()
        key(literal: "code")
        string(error.code)
        key(literal: "message")
        string(error.message)
        endObject()
    }

    mutating func stringArray(_ values: some Sequence<String>) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }
}
