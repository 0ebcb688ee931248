import ContactSyncCore
import Foundation

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
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text()).utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}

/// A JSON object read from a record value, with typed getters; nil for anything else.
struct JSONObjectView {
    let object: [String: Any]

    init?(_ bytes: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return nil }
        self.object = object
    }

    func string(_ key: String) -> String? { object[key] as? String }
    func strings(_ key: String) -> [String] { object[key] as? [String] ?? [] }
    func int(_ key: String) -> Int? { (object[key] as? NSNumber)?.intValue }
    func bool(_ key: String) -> Bool? { (object[key] as? NSNumber)?.boolValue }
    func object(_ key: String) -> JSONObjectView? { (object[key] as? [String: Any]).map { JSONObjectView(object: $0) } }
    func objects(_ key: String) -> [JSONObjectView] { (object[key] as? [[String: Any]] ?? []).map { JSONObjectView(object: $0) } }

    private init(object: [String: Any]) { self.object = object }
}
