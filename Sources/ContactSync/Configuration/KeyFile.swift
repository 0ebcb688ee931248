import FoundationEssentials
import Glibc

/// The key file: read once (`ConfigurationFile`), with warnings about who else
/// can read it taken from the same descriptor's `fstat`.
enum KeyFile {
    /// A key is tens of bytes; anything bigger is the wrong file.
    static let maximumBytes = 4096

    struct Contents {
        var text: String
        /// Worth a log line, not a refusal.
        var warnings: [String]
    }

    static func load(_ path: String, setting: String) throws -> Contents {
        let file = try ConfigurationFile.read(path, setting: setting, maximumBytes: maximumBytes)
        guard let text = String(validating: file.bytes, as: UTF8.self) else {
            throw ConfigurationReader.ConfigurationError(description: "\(setting): \(path) is not UTF-8 text")
        }
        var warnings: [String] = []
        if file.status.st_mode & 0o077 != 0 {
            warnings.append("\(setting) can be read by group or others; chmod 600 it")
        }
        if file.status.st_uid != 0 && file.status.st_uid != geteuid() {
            warnings.append(
                "\(setting) belongs to another user (uid \(file.status.st_uid)); it should belong to root or to the service's user")
        }
        return Contents(text: text, warnings: warnings)
    }
}
