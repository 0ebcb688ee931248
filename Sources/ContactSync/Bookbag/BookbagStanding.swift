import Synchronization

/// Whether Bookbag accepts our configuration (key, chatbot id, base URL).
/// Refused by an answer that only a configuration change can fix (401, 403,
/// 404 on an upsert or an attribute call); accepted again by the next upsert it takes.
final class BookbagStanding: Sendable {
    private let refusal = Mutex<String?>(nil)

    /// Bookbag's reason, while it refuses us.
    var configurationError: String? { refusal.withLock { $0 } }

    func refused(_ reason: String) { refusal.withLock { $0 = reason } }
    func accepted() { refusal.withLock { $0 = nil } }
}
