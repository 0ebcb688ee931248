/// The kinds (object or array) of the containers open while skipping a value,
/// innermost last. The first 64 levels live in a bit set, so ordinary nesting
/// allocates nothing; deeper levels (only with a depth limit above 64) spill
/// into an array.
struct ContainerStack {
    private var objectBits: UInt64 = 0
    private var spill: [Bool] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Whether the innermost open container is an object; nil when none is open.
    var innermostIsObject: Bool? {
        guard count > 0 else { return nil }
        let level = count &- 1
        if level < 64 { return objectBits & (1 << UInt64(level)) != 0 }
        return spill[level &- 64]
    }

    mutating func push(isObject: Bool) {
        if count < 64 {
            let bit: UInt64 = 1 << UInt64(count)
            if isObject { objectBits |= bit } else { objectBits &= ~bit }
        } else {
            spill.append(isObject)
        }
        count &+= 1
    }

    mutating func pop() {
        guard count > 0 else { return }
        count &-= 1
        if count >= 64 { spill.removeLast() }
    }
}
