import Glibc

/// Writes to a file descriptor with write(2), whole: log lines, tool
/// progress, the clock store's lock file. (Foundation's FileHandle would pull
/// libFoundation, and with it ICU, into the process: about 8.7 MB of RSS.)
public enum FileDescriptorOutput {
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            written += count
        }
    }
}
