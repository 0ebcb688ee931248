/// The compact binary form of a contact's clocks, as the local store keeps it.
///
/// A format byte (1), then each entry in canonical order: the field as a tag
/// byte (0 email, 1 name, 2 phone, 3 attribute, the latter followed by the
/// name's UTF-8 length as an unsigned LEB128 varint and the name), then
/// `occurredAt` as Int64 nanoseconds and the digest, both 8 bytes
/// little-endian. 17 bytes per email, name or phone clock.
///
/// Reading accepts only the canonical form the writer produces (entries in
/// order, no repeated field, the shortest varint, valid UTF-8), so bytes that
/// read back re-encode to themselves.
extension ContactClocks {
    static let binaryFormat: UInt8 = 1

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(reduce(1) { size, entry in size + Self.encodedSize(of: entry.field) + 16 })
        out.append(Self.binaryFormat)
        for entry in self {
            switch entry.field {
            case .email: out.append(BinaryTag.email)
            case .name: out.append(BinaryTag.name)
            case .phone: out.append(BinaryTag.phone)
            case .attribute(let name):
                out.append(BinaryTag.attribute)
                BinaryClockReader.appendVarint(UInt64(name.utf8.count), to: &out)
                out.append(contentsOf: name.utf8)
            }
            Self.appendLittleEndian(UInt64(bitPattern: entry.clock.occurredAt.nanosecondsSinceEpoch), to: &out)
            Self.appendLittleEndian(entry.clock.digest, to: &out)
        }
        return out
    }

    /// Nil for anything but the canonical encoding of some clocks; never traps.
    public init?(encoded bytes: UnsafeRawBufferPointer) {
        var reader = BinaryClockReader(bytes: bytes)
        guard reader.byte() == Self.binaryFormat else { return nil }
        // Every entry takes at least 17 bytes: room for all, in one allocation.
        self.init(reservingCapacity: Swift.min((bytes.count - 1) / 17, 16))
        while !reader.isAtEnd {
            guard let field = reader.field(), let nanoseconds = reader.uint64(), let digest = reader.uint64() else {
                return nil
            }
            let occurredAt = Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: nanoseconds))
            guard appendInOrder(field, FieldClock(occurredAt: occurredAt, digest: digest)) else { return nil }
        }
    }

    public init?(encoded bytes: [UInt8]) {
        guard let clocks = bytes.withUnsafeBytes({ ContactClocks(encoded: $0) }) else { return nil }
        self = clocks
    }

    /// The store's merge: the encoded `existing` clocks (nil, or unreadable,
    /// count as none) merged with `incoming`, encoded.
    public static func mergedEncoded(_ existing: UnsafeRawBufferPointer?, with incoming: ContactClocks) -> [UInt8] {
        var merged = existing.flatMap { ContactClocks(encoded: $0) } ?? ContactClocks()
        merged.merge(incoming)
        return merged.encoded()
    }

    /// `mergedEncoded(_:with:)` with the incoming clocks encoded too (unreadable
    /// incoming bytes count as none).
    public static func mergingEncoded(_ existing: UnsafeRawBufferPointer?, _ incoming: UnsafeRawBufferPointer) -> [UInt8] {
        // Nothing stored (a new contact): readable bytes are canonical, so
        // they already are their own encoding; only the check is needed.
        if existing == nil, ContactClocks(encoded: incoming) != nil { return Array(incoming) }
        return mergedEncoded(existing, with: ContactClocks(encoded: incoming) ?? ContactClocks())
    }

    private static func encodedSize(of field: ContactField) -> Int {
        guard case .attribute(let name) = field else { return 1 }
        var length = name.utf8.count
        var size = 2 + length
        while length >= 0x80 {
            size += 1
            length >>= 7
        }
        return size
    }

    private static func appendLittleEndian(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        for _ in 0..<8 {
            out.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }
}

enum BinaryTag {
    static let email: UInt8 = 0
    static let name: UInt8 = 1
    static let phone: UInt8 = 2
    static let attribute: UInt8 = 3
}

/// A bounds-checked cursor over encoded clocks; every read is nil past the end.
struct BinaryClockReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position &+= 1 }
        return bytes[position]
    }

    mutating func uint64() -> UInt64? {
        guard bytes.count &- position >= 8 else { return nil }
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            value |= UInt64(bytes[position]) << UInt64(shift)
            position &+= 1
        }
        return value
    }

    mutating func field() -> ContactField? {
        switch byte() {
        case BinaryTag.email: return .email
        case BinaryTag.name: return .name
        case BinaryTag.phone: return .phone
        case BinaryTag.attribute:
            guard let length = varint(), length <= UInt64(bytes.count &- position) else { return nil }
            let name = UnsafeRawBufferPointer(rebasing: bytes[position..<(position &+ Int(length))])
            guard UTF8Validation.firstInvalidOffset(in: name) == nil else { return nil }
            position &+= Int(length)
            return .attribute(String(decoding: name, as: UTF8.self))
        default: return nil
        }
    }

    /// An unsigned LEB128 number in its shortest form, at most 63 bits.
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 63 {
            guard let byte = byte() else { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                // A last byte of 0 (beyond the first) means a longer form than needed.
                return byte == 0 && shift > 0 ? nil : value
            }
            shift += 7
        }
        return nil
    }

    /// Appends `value` as an unsigned LEB128 number in its shortest form (what `varint()` reads).
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
