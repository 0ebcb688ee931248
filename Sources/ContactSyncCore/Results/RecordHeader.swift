/// One Kafka record header, as received: a name and a value (nil: a header
/// without a value, which Kafka allows and which differs from an empty one).
public struct RecordHeader: Sendable, Equatable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}
