import ContactSyncCore

/// Key and value in one call: events are flat objects written member by member.
extension JSONWriter {
    mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: String, _ value: Int64) {
        key(name)
        number(value)
    }

    mutating func member(_ name: String, _ value: AttributeValue) {
        key(name)
        switch value {
        case .string(let text): string(text)
        case .number(let number): self.number(number)
        case .bool(let flag): bool(flag)
        case .null: null()
        }
    }

    /// Nothing for an absent field, `null` to clear it.
    mutating func member(_ name: String, _ change: FieldChange<String>) {
        switch change {
        case .absent: break
        case .clear:
            key(name)
            null()
        case .set(let value): member(name, value)
        }
    }
}
