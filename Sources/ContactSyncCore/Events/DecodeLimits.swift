/// Bounds on what one input record may contain, so a hostile or broken record
/// costs little and is rejected precisely.
public struct DecodeLimits: Sendable {
    /// The whole record value, in bytes.
    public var maxValueBytes: Int = 1 << 20
    /// JSON nesting; the event object itself is level 1.
    public var maxDepth: Int = 32
    /// UTF-8 bytes of `email`, `name`, `phone` and string attribute values (after unescaping).
    public var maxStringBytes: Int = 1024
    /// Entries in `custom_attributes` per event (duplicates count).
    public var maxAttributes: Int = 100

    public init(
        maxValueBytes: Int = 1 << 20, maxDepth: Int = 32, maxStringBytes: Int = 1024,
        maxAttributes: Int = 100
    ) {
        self.maxValueBytes = maxValueBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxAttributes = maxAttributes
    }
}
