extension JSONWriter {
    /// `{"topic":..,"partition":..,"offset":..}`
    mutating func recordSource(_ source: RecordSource) {
        beginObject()
        key("topic")
        string(source.topic)
        key("partition")
        number(Int64(source.partition))
        key("offset")
        number(source.offset)
        endObject()
    }

    /// `{"code":..,"message":..}` or `null`.
    mutating func syncError(_ error: SyncError?) {
        guard let error else { return null() }
        beginObject()
        key("code")
        string(error.code)
        key("message")
        string(error.message)
        endObject()
    }

    mutating func stringArray(_ values: some Sequence<String>) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }
}
