import ContactSyncCore
import FoundationEssentials
import Glibc

/// Exit codes of the command-line tools, for scripts.
public enum ToolExit {
    public static let ok: Int32 = 0
    /// Kafka unreachable, a topic missing, a record not acknowledged.
    public static let failure: Int32 = 1
    /// A wrong flag or setting (ArgumentParser and the configuration reader use 2 too).
    public static let usage: Int32 = 2
    /// `trace`: nothing found for the contact; `replay`: some dead letters refused (truncated).
    public static let partial: Int32 = 3
    /// `replay` interrupted (SIGINT/SIGTERM) after saving its progress.
    public static let interrupted: Int32 = 4
}

/// Progress on standard error, only when it is a terminal, redrawn in place.
struct Progress: Sendable {
    let enabled = isatty(STDERR_FILENO) == 1
    private let started = ContinuousClock.now

    /// Shown once the work has taken more than a second.
    func show(_ text: @autoclosure () -> String) {
        guard enabled, ContinuousClock.now - started > .seconds(1) else { return }
        FileDescriptorOutput.writeAll(Array(("\r\u{1B}[2K" + text()).utf8), to: STDERR_FILENO)
    }

    func finish() {
        if enabled { FileDescriptorOutput.writeAll(Array("\r\u{1B}[2K".utf8), to: STDERR_FILENO) }
    }
}

/// A JSON object read from a record value, with typed getters; nil for anything else.
struct JSONObjectView {
    let object: [String: JSONValue]

    init?(_ bytes: [UInt8]) {
        let parsed = try? JSONValue.parse(bytes)
        guard let object = parsed?.objectValue else { return nil }
        self.object = object
    }

    func string(_ key: String) -> String? { object[key]?.stringValue }
    /// Empty unless every element is a string.
    func strings(_ key: String) -> [String] {
        let elements = object[key]?.arrayValue ?? []
        let strings = elements.compactMap(\.stringValue)
        return strings.count == elements.count ? strings : []
    }
    /// A whole number within Int's range; nil for anything else.
    func int(_ key: String) -> Int? { object[key]?.numberValue.flatMap { Int(exactly: $0) } }
    func bool(_ key: String) -> Bool? { object[key]?.boolValue }
    func object(_ key: String) -> JSONObjectView? { object[key]?.objectValue.map { JSONObjectView(object: $0) } }
    func objects(_ key: String) -> [JSONObjectView] {
        let elements = object[key]?.arrayValue ?? []
        let objects = elements.compactMap(\.objectValue)
        return objects.count == elements.count ? objects.map { JSONObjectView(object: $0) } : []
    }

    private init(object: [String: JSONValue]) { self.object = object }
}
