/// libFuzzer target: `HTTPDate` and `RetryAfter` read arbitrary bytes at an arbitrary `now`.
///
/// Input: 8 bytes of `now` (little-endian nanoseconds since the epoch), 4 bytes
/// of a maximum wait in milliseconds, then the header value.
/// Invariants: nothing traps; a date lies in the years 1601...9999; every wait
/// is within [0, maximum] (and within the default 60 s when none is given);
/// plain digits always read.
func fuzzRetryAfter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 12 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var reader = FuzzBytes(bytes)
    let now = Timestamp(nanosecondsSinceEpoch: reader.int64())
    let maximum = Duration.milliseconds(Int64(reader.uint32()))
    let value = String(decoding: reader.rest, as: UTF8.self)
    checkRetryAfter(value, now: now, maximum: maximum)
    return 0
}

/// The seconds of 1601-01-01T00:00:00Z and 9999-12-31T23:59:60Z.
private let httpDateRange: ClosedRange<Int64> = -11_644_473_600...253_402_300_800

func checkRetryAfter(_ value: String, now: Timestamp, maximum: Duration) {
    if let seconds = HTTPDate.secondsSinceEpoch(value, now: now), !httpDateRange.contains(seconds) {
        fatalError("HTTP date outside 1601...9999: \(seconds) from \(value.debugDescription)")
    }
    let wait = RetryAfter.parse(value, now: now, maximum: maximum)
    if let wait, wait < .zero || wait > maximum {
        fatalError("wait \(wait) outside [0, \(maximum)] for \(value.debugDescription)")
    }
    if let wait = RetryAfter.parse(value, now: now), wait < .zero || wait > RetryAfter.defaultMaximum {
        fatalError("wait \(wait) outside the default maximum for \(value.debugDescription)")
    }
    let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    let core = value.utf8.drop(while: isBlank).reversed().drop(while: isBlank)
    if !core.isEmpty, core.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), wait == nil {
        fatalError("delta-seconds \(value.debugDescription) not read")
    }
    var rng = SystemRandomNumberGenerator()
    let delay = RetryPolicy().delay(afterAttempt: 1, retryAfter: wait, maxRetryAfter: maximum, using: &rng)
    if delay < .zero || delay > max(maximum, RetryPolicy().maxDelay) {
        fatalError("delay \(delay) outside its bounds")
    }
}
