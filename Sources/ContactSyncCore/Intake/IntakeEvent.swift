/// One event of a webhook body, validated by the consumer's own decoder.
public struct IntakeEvent: Sendable {
    /// Its place in the body: 0 for a single event, else its index in `events`.
    public let index: Int
    public let event: StoreEvent
    /// The event's exact bytes as received, from its `{` to its matching `}`:
    /// what is written to Kafka, so the consumer reads what the sender signed.
    public let value: [UInt8]

    public init(index: Int, event: StoreEvent, value: [UInt8]) {
        self.index = index
        self.event = event
        self.value = value
    }
}
