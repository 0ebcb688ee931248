import FoundationEssentials
import Glibc

/// Reads a file a setting names, once, through one descriptor, and judges that
/// descriptor rather than the path (which could be swapped in between): it must
/// be a regular file (symlinks are followed, as a Kubernetes secret is one) no
/// larger than a cap, so a FIFO, a device or a huge file is refused, not read.
enum ConfigurationFile {
    struct Contents {
        var bytes: [UInt8]
        /// The descriptor's `fstat`: owner and mode.
        var status: stat
    }

    static func read(_ path: String, setting: String, maximumBytes: Int) throws -> Contents {
        func failure(_ text: String) -> ConfigurationReader.ConfigurationError {
            ConfigurationReader.ConfigurationError(description: "\(setting): \(text)")
        }
        func reason() -> String { String(cString: strerror(errno)) }
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw failure("cannot open \(path): \(reason())") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("cannot stat \(path): \(reason())") }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw failure("\(path) is not a regular file") }
        let tooLarge = failure("\(path) is larger than \(maximumBytes) bytes")
        guard status.st_size <= maximumBytes else { throw tooLarge }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw failure("cannot read \(path): \(reason())") }
            if got == 0 { break }
            count += got
        }
        guard count <= maximumBytes else { throw tooLarge }  // it grew after fstat
        bytes.removeSubrange(count...)
        return Contents(bytes: bytes, status: status)
    }
}
