import ContactSyncCore
import Logging

/// The attribute definitions Bookbag has, listed once and extended as new
/// attributes appear, so every attribute is defined before the first upsert
/// that carries it.
actor AttributeRegistry {
    private var catalog = AttributeCatalog()
    private var loaded = false
    private let policy: AttributePolicy
    private let client: BookbagClient
    private let retryPolicy: RetryPolicy
    private let standing: BookbagStanding
    private let logger: Logger

    init(
        policy: AttributePolicy, client: BookbagClient, retryPolicy: RetryPolicy, standing: BookbagStanding,
        logger: Logger
    ) {
        self.policy = policy
        self.client = client
        self.retryPolicy = retryPolicy
        self.standing = standing
        self.logger = logger
    }

    /// Retries until the definitions are in place, or the task is cancelled (the shutdown deadline).
    nonisolated func defineRetrying(for updates: [ContactUpdate]) async -> Bool {
        var attempt = 0
        var rng = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let failure: Failure?
            do {
                try await ensureDefined(for: updates)
                failure = nil
            } catch {
                failure = error
            }
            switch failure {
            case nil:
                return true
            case .configuration(let message):
                standing.refused(message)
                logger.error("Bookbag refused to list or define custom attributes (\(message)): check the key, chatbot id and base URL. Retrying in 10 s")
                try? await Task.sleep(for: .seconds(10))
            case .transient(let message):
                attempt += 1
                let delay = retryPolicy.backoff(afterAttempt: attempt, using: &rng)
                logger.warning("custom attribute definitions not available (\(message)); retry in \(delay)")
                try? await Task.sleep(for: delay)
            }
        }
        return false
    }

    enum Failure: Error, Sendable {
        case transient(String)
        case configuration(String)
    }

    /// One caller at a time in `ensureDefined`: two batches in flight would
    /// otherwise both list the definitions, or both create the same attribute.
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    private func enter() async {
        if busy {
            await withCheckedContinuation { queue.append($0) }  // handed over by `leave`, still busy
        } else {
            busy = true
        }
    }

    private func leave() {
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
    }

    /// Lists the definitions (first time, or when forced), then creates the missing ones.
    func ensureDefined(for updates: [ContactUpdate], forceRefresh: Bool = false) async throws(Failure) {
        await enter()
        defer { leave() }
        if !loaded || forceRefresh { try await refresh() }
        let missing = catalog.definitionsToCreate(for: updates, policy: policy)
        for definition in missing {
            let answer = try await paced { await $0.createAttribute(definition) }
            switch (answer.status, answer.outcome) {
            case (.some(200..<300), _):
                catalog.merge([definition])
                logger.info("defined custom attribute \(definition.name) (\(definition.type.rawValue))")
            case (.some(409), _), (.some(400), _):
                // Already there (created elsewhere meanwhile), or refused: the list says which.
                try await refresh()
                if catalog.definitions[definition.name] == nil {
                    logger.warning(
                        "Bookbag refused to define attribute \(definition.name): \(ResponseClassifier.message(fromBody: answer.body) ?? "no message")")
                }
            case (_, .configuration(let status, let message)):
                throw .configuration("HTTP \(status): \(message)")
            case (_, .transient(_, let message)):
                throw .transient(message)
            case (_, let outcome):
                throw .transient("unexpected answer defining \(definition.name): \(outcome)")
            }
        }
    }

    func refresh() async throws(Failure) {
        let answer = try await paced { await $0.listAttributes() }
        switch answer.outcome {
        case .accepted:
            do {
                catalog = AttributeCatalog(definitions: try AttributeCatalog.parseList(answer.body))
                loaded = true
            } catch {
                throw .transient("unreadable custom attribute list: \(error)")
            }
        case .configuration(let status, let message):
            throw .configuration("HTTP \(status): \(message)")
        case .transient(_, let message):
            throw .transient(message)
        case .rateLimited:
            throw .transient("rate limited listing custom attributes")  // not reached: `paced` waits 429s out
        case .refused(let status, let message), .undefinedAttribute(let status, let message):
            throw .transient("HTTP \(status) listing custom attributes: \(message)")
        }
    }

    /// Calls Bookbag until the answer is not a 429; the client's gate holds each
    /// new call until the instant the last 429 named. Throws when the task is
    /// cancelled (shutdown deadline) instead of waiting on.
    private func paced(
        _ call: (BookbagClient) async -> BookbagClient.Answer
    ) async throws(Failure) -> BookbagClient.Answer {
        while true {
            let answer = await call(client)
            if answer.abandoned { throw .transient("shutting down") }
            guard case .rateLimited = answer.outcome else { return answer }
            logger.debug("Bookbag rate-limited a custom attribute call; waiting for its Retry-After")
        }
    }

    /// Each update as a request entry, with the attributes left out of it.
    func admit(_ updates: [ContactUpdate]) -> [PendingContact] {
        updates.map { update in
            let (entry, ignored) = catalog.admit(update, policy: policy)
            return PendingContact(update: update, entry: entry, ignoredAttributes: ignored)
        }
    }
}
