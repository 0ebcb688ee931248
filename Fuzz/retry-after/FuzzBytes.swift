/// Reads fixed-size numbers off the front of a fuzzer input; missing bytes read as zero.
struct FuzzBytes {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func int64() -> Int64 {
        Int64(bitPattern: unsigned(8))
    }

    mutating func uint32() -> UInt32 {
        UInt32(truncatingIfNeeded: unsigned(4))
    }

    mutating func uint16() -> UInt16 {
        UInt16(truncatingIfNeeded: unsigned(2))
    }

    mutating func uint8() -> UInt8 {
        UInt8(truncatingIfNeeded: unsigned(1))
    }

    /// `count` bytes (fewer at the end of the input).
    mutating func take(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        let end = min(bytes.count, offset + max(count, 0))
        defer { offset = end }
        return UnsafeBufferPointer(rebasing: bytes[offset..<end])
    }

    var rest: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[offset...]) }

    private mutating func unsigned(_ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in take(width).enumerated() { value |= UInt64(byte) << (8 * index) }
        return value
    }
}
