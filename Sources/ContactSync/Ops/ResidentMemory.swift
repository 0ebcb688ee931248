import Glibc

/// The process's resident memory, read from `/proc/self/statm`: what the
/// kernel (and a container's memory limit) counts, allocator slack included.
///
/// The file stays open and is read again from its start at every sample (a
/// few microseconds), so the consumer's poll thread can sample it often. Owned
/// by that one thread.
final class ResidentMemory {
    private let descriptor: Int32
    private let pageBytes: Int
    private var buffer = [UInt8](repeating: 0, count: 128)

    /// Nil where there is no `/proc` (the memory target is then not enforced).
    init?() {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        pageBytes = max(Int(sysconf(Int32(_SC_PAGESIZE))), 1)
    }

    deinit { close(descriptor) }

    /// Resident bytes now; nil if the read failed.
    func sample() -> Int? {
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Self.residentPages(statm: buffer[..<count]).map { $0 * pageBytes }
    }

    /// The second field of statm ("size resident shared text lib data dt"), in pages.
    static func residentPages(statm: some Collection<UInt8>) -> Int? {
        let fields = statm.split(maxSplits: 2, omittingEmptySubsequences: true) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }
        // Empty fields are omitted, so a second field has at least one byte.
        guard fields.count >= 2 else { return nil }
        var pages = 0
        for byte in fields[1] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (product, overflow) = pages.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            pages = product + Int(byte - UInt8(ascii: "0"))
        }
        return pages
    }
}
