import ContactSyncCore

/// Builds one JSON object as UTF-8 bytes directly (the benchmark generates
/// hundreds of thousands of events; no Foundation, no intermediate strings).
struct EventJSONBuilder {
    private(set) var bytes: [UInt8]
    private var needsComma = false

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        appendQuoted(value)
    }

    mutating func null(_ name: String) {
        key(name)
        bytes.append(contentsOf: "null".utf8)
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func integer(_ name: String, _ value: Int64) {
        key(name)
        appendInteger(value)
    }

    mutating func number(_ name: String, _ value: Double) {
        precondition(value.isFinite, "JSON has no NaN or infinity")
        key(name)
        if value == value.rounded(), abs(value) < 0x1p53 {
            appendInteger(Int64(value))
        } else {
            // Swift prints the shortest digits that read back as the same Double.
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    mutating func fieldChange(_ name: String, _ change: FieldChange<String>) {
        switch change {
        case .absent: break
        case .clear: null(name)
        case .set(let value): string(name, value)
        }
    }

    /// Bytes written as they are (for deliberately bad values).
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        bytes.append(contentsOf: json.utf8)
    }

    mutating func beginObject(_ name: String) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendInteger(_ value: Int64) {
        // Up to 20 digits: a small string, so no heap allocation.
        bytes.append(contentsOf: String(value).utf8)
    }
}
