import CMalloc

/// Which allocator serves malloc in this process. The `contact-sync` binary
/// links jemalloc (the `CJemalloc` target, configured there); the library's
/// tests and the other tools run on glibc. glibc's own tuning
/// (`AllocatorSettings`, `MemoryTrimmer`) applies only to glibc.
public enum Allocator: Sendable, Equatable, CustomStringConvertible {
    case glibc
    case jemalloc(version: String, arenas: Int, dirtyDecayMilliseconds: Int)

    public static var current: Allocator {
        var buffer = [CChar](repeating: 0, count: 128)
        guard contact_sync_jemalloc_version(&buffer, buffer.count) == 0 else { return .glibc }
        let version = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .jemalloc(
            version: version, arenas: contact_sync_jemalloc_arenas(),
            dirtyDecayMilliseconds: contact_sync_jemalloc_dirty_decay_ms())
    }

    public var isGlibc: Bool { self == .glibc }

    public var description: String {
        switch self {
        case .glibc: "glibc"
        case .jemalloc(let version, let arenas, let decay):
            // jemalloc's own option names: what MALLOC_CONF sets.
            "jemalloc \(version.prefix { $0 != "-" }) (narenas:\(arenas), dirty_decay_ms:\(decay))"
        }
    }
}
