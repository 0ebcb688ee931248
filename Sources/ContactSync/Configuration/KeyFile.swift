import Foundation

/// Reads the key file once, through one descriptor, and judges that descriptor
/// rather than the path (which could be swapped in between): a regular file
/// (symlinks followed, as a Kubernetes secret is one), a size cap, and who else
/// can read it.
enum KeyFile {
    /// A key is tens of bytes; anything bigger is the wrong file.
    static let maximumBytes = 4096

    struct Contents {
        var text: String
        /// Worth a log line, not a refusal.
        var warnings: [String]
    }

    static func load(_ path: String, setting: String) throws -> Contents {
        func failure(_ text: String) -> ConfigurationReader.ConfigurationError {
            ConfigurationReader.ConfigurationError(description: "\(setting): \(text)")
        }
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw failure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw failure("\(path) is not a regular file") }
        let tooLarge = failure("\(path) is larger than \(maximumBytes) bytes; it should hold the key alone")
        guard status.st_size <= maximumBytes else { throw tooLarge }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw failure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            count += got
        }
        guard count <= maximumBytes else { throw tooLarge }  // it grew after fstat
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            throw failure("\(path) is not UTF-8 text")
        }
        var warnings: [String] = []
        if status.st_mode & 0o077 != 0 {
            warnings.append("\(setting) can be read by group or others; chmod 600 it")
        }
        if status.st_uid != 0 && status.st_uid != geteuid() {
            warnings.append("\(setting) belongs to another user (uid \(status.st_uid)); it should belong to root or to the service's user")
        }
        return Contents(text: text, warnings: warnings)
    }
}
