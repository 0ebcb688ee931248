/// Reads the body of `POST /v1/events`: one event object, or a batch
/// `{"events": [...]}`. Each event is checked by `EventDecoder`, the consumer's
/// own decoder, so what is accepted here is exactly what the consumer can use.
///
/// All or nothing: one bad event refuses the whole body, so a sender's retry
/// never duplicates the good half. One pass over the body checks its grammar
/// and depth and notes where each event lies; then each event is decoded from
/// its slice in place, and copied out only when all are good.
public enum IntakeBody {
    public static func parse(_ body: [UInt8], maxEvents: Int, limits: DecodeLimits)
        -> Result<[IntakeEvent], IntakeBodyRejection>
    {
        body.withUnsafeBytes { bytes in
            if let offset = UTF8Validation.firstInvalidOffset(in: bytes) {
                return .failure(.invalidUTF8(at: offset))
            }
            let layout: IntakeBodyLayout
            do throws(IntakeBodyRejection) {
                layout = try IntakeBodyLayout(bytes, maxDepth: bodyDepth(limits), maxEvents: maxEvents)
            } catch {
                return .failure(error)
            }
            switch layout {
            case .single(let range):
                return decodeAll([range], in: bytes, limits: limits)
            case .batch(let elements, let count):
                guard count > 0 else { return .failure(.emptyBatch) }
                guard count <= maxEvents else { return .failure(.tooManyEvents(count, limit: maxEvents)) }
                return decodeAll(elements, in: bytes, limits: limits)
            }
        }
    }

    /// The whole body's nesting bound: the batch object and its array around
    /// events that may nest `maxDepth` levels themselves.
    static func bodyDepth(_ limits: DecodeLimits) -> Int {
        let (depth, overflow) = limits.maxDepth.addingReportingOverflow(2)
        return overflow ? Int.max : depth
    }

    private static func decodeAll(_ ranges: [Range<Int>], in bytes: UnsafeRawBufferPointer, limits: DecodeLimits)
        -> Result<[IntakeEvent], IntakeBodyRejection>
    {
        var events: [StoreEvent] = []
        events.reserveCapacity(ranges.count)
        var errors: [IntakeBodyRejection.EventError] = []
        for (index, range) in ranges.enumerated() {
            switch EventDecoder.decode(UnsafeRawBufferPointer(rebasing: bytes[range]), limits: limits) {
            case .success(let event):
                events.append(event)
            case .failure(let failure):
                errors.append(.init(index: index, code: failure.reason.code, message: failure.reason.message))
            }
        }
        guard errors.isEmpty else { return .failure(.invalidEvents(errors, of: ranges.count)) }
        return .success(
            zip(ranges, events).enumerated().map { index, pair in
                IntakeEvent(index: index, event: pair.1, value: Array(bytes[pair.0]))
            })
    }
}
