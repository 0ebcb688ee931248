/// Builds compact JSON text. Callers write keys and values in order; the writer adds commas.
struct SimJSONWriter {
    private(set) var output: String = ""
    /// One flag per open container: whether it already holds a member.
    private var containerHasMembers: [Bool] = []

    init(capacity: Int = 256) {
        output.reserveCapacity(capacity)
    }

    // MARK: Containers

    mutating func beginObject() {
        separateValue()
        output.append("{")
        containerHasMembers.append(false)
    }

    mutating func endObject() {
        containerHasMembers.removeLast()
        output.append("}")
    }

    mutating func beginArray() {
        separateValue()
        output.append("[")
        containerHasMembers.append(false)
    }

    mutating func endArray() {
        containerHasMembers.removeLast()
        output.append("]")
    }

    /// Writes `"key":`; the next value call writes the value.
    mutating func key(_ name: String) {
        separateValue()
        Self.appendQuoted(name, to: &output)
        output.append(":")
        pendingKey = true
    }

    // MARK: Values

    mutating func string(_ value: String) {
        separateValue()
        Self.appendQuoted(value, to: &output)
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int) {
        separateValue()
        output.append(String(value))
    }

    mutating func number(_ value: Double) {
        separateValue()
        Self.appendNumber(value, to: &output)
    }

    mutating func bool(_ value: Bool) {
        separateValue()
        output.append(value ? "true" : "false")
    }

    mutating func null() {
        separateValue()
        output.append("null")
    }

    /// Text that is already valid JSON (e.g. an entry kept as received).
    mutating func rawJSON(_ text: String) {
        separateValue()
        output.append(text)
    }

    mutating func value(_ value: SimJSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            // Sorted so that output is stable across runs.
            for name in members.keys.sorted() {
                key(name)
                self.value(members[name]!)
            }
            endObject()
        }
    }

    // MARK: Helpers

    private var pendingKey = false

    /// Adds the comma before a value or key that is not the first in its container.
    private mutating func separateValue() {
        if pendingKey {
            pendingKey = false
            return
        }
        guard let last = containerHasMembers.indices.last else { return }
        if containerHasMembers[last] { output.append(",") } else { containerHasMembers[last] = true }
    }

    static func appendNumber(_ value: Double, to output: inout String) {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output.append(String(Int64(value)))
        } else {
            output.append(value.description)
        }
    }

    static func appendQuoted(_ text: String, to output: inout String) {
        output.append("\"")
        var plainStart = text.unicodeScalars.startIndex
        var index = plainStart
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escape = nil
            }
            if let escape {
                output.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                output.append(escape)
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        output.append("\"")
    }
}
