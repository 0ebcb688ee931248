import ContactSyncCore
import Logging
import Synchronization

/// Sends one request's worth of contacts until each has a decision: retries
/// transient failures with backoff and full jitter within the retry budget,
/// waits out 429s, splits a refused request in halves until the refused
/// entries are isolated, refreshes attribute definitions once on a 422 for an
/// undefined attribute, and never fails a contact for a configuration error
/// (401/403/404): it waits and tries again. Cancelled (the shutdown deadline
/// passed), it gives up without deciding, so the records stay uncommitted and
/// are read again after the restart.
struct UpsertExecutor: Sendable {
    let client: BookbagClient
    let registry: AttributeRegistry
    let retryPolicy: RetryPolicy
    let standing: BookbagStanding
    let logger: Logger
    let metrics: ServiceMetrics
    var configurationRetryDelay: Duration = .seconds(10)

    /// Users per request for `contacts` sent together (the client's gate adapts it).
    func usersPerRequest(for contacts: Int) async -> Int { await client.usersPerRequest(for: contacts) }

    func send(_ contacts: [PendingContact]) async -> [ContactDecision] {
        await send(contacts[...], attemptsSoFar: 0, refreshedAttributes: false)
    }

    private func send(
        _ contacts: ArraySlice<PendingContact>, attemptsSoFar: Int, refreshedAttributes: Bool
    ) async -> [ContactDecision] {
        var contacts = contacts
        var attempts = attemptsSoFar
        var refreshed = refreshedAttributes
        let started = ContinuousClock.now
        var rng = SystemRandomNumberGenerator()
        while true {
            if Task.isCancelled { return [] }
            attempts += 1
            metrics.usersPerRequest.record(contacts.count)
            let answer = await client.upsert(body: UpsertRequest.body(for: contacts.map(\.entry)))
            if answer.abandoned { return [] }

            switch answer.outcome {
            case .accepted(let entryErrors):
                if standing.configurationError != nil {
                    standing.accepted()
                    logger.notice("Bookbag accepts our requests again")
                }
                return contacts.map { contact in
                    if let message = entryErrors[contact.update.externalID] {
                        return decision(contact, .rejected, attempts, answer.status, .entryError(message: message))
                    }
                    return decision(contact, .synced, attempts, answer.status, nil)
                }

            case .undefinedAttribute(let status, let message) where !refreshed:
                refreshed = true
                logger.warning("Bookbag says an attribute is undefined (HTTP \(status): \(message)); refreshing definitions")
                do {
                    try await registry.ensureDefined(for: contacts.map(\.update), forceRefresh: true)
                } catch {
                    logger.warning("refreshing attribute definitions failed: \(error)")
                }
                let readmitted = await registry.admit(contacts.map(\.update))
                contacts = readmitted[...]

            case .refused(let status, let message), .undefinedAttribute(let status, let message):
                if contacts.count == 1, let only = contacts.first {
                    let code = answer.outcome.isUndefinedAttribute ? SyncError.Code.bookbagUndefinedAttribute : SyncError.Code.bookbagRejected
                    return [decision(only, .rejected, attempts, status, SyncError(code: code, message: message))]
                }
                let (left, right) = UpsertRequest.halves(contacts.startIndex..<contacts.endIndex)!
                logger.debug("HTTP \(status) refused \(contacts.count) users; splitting to isolate the refused entries")
                let (leftHalf, rightHalf) = (contacts[left], contacts[right])
                let (attemptsMade, refreshedOnce) = (attempts, refreshed)
                async let first = send(leftHalf, attemptsSoFar: attemptsMade, refreshedAttributes: refreshedOnce)
                async let second = send(rightHalf, attemptsSoFar: attemptsMade, refreshedAttributes: refreshedOnce)
                return await first + second

            case .rateLimited:
                metrics.retry(reason: "rate_limited")
                attempts -= 1  // a 429 is Bookbag pacing us, not a failed attempt; the client's gate waits it out
                if ContinuousClock.now - started > retryPolicy.maxElapsed {
                    return contacts.map { decision($0, .failed, attempts, 429, budgetExhausted("rate limited for too long")) }
                }

            case .transient(let status, let message):
                let delay = retryPolicy.backoff(afterAttempt: attempts, using: &rng)
                guard retryPolicy.allowsAnotherAttempt(attemptsMade: attempts, elapsed: ContinuousClock.now - started, after: delay)
                else {
                    logger.error("giving up on \(contacts.count) contact(s) after \(attempts) attempts: \(message)")
                    return contacts.map { decision($0, .failed, attempts, status, budgetExhausted(message)) }
                }
                metrics.retry(reason: status.map { "http_\($0)" } ?? "transport")
                logger.warning("Bookbag call failed (\(status.map(String.init) ?? "no response"): \(message)); retry \(attempts) in \(delay)")
                try? await Task.sleep(for: delay)

            case .configuration(let status, let message):
                // Credentials, scope or chatbot id are wrong: nothing to blame the contacts for.
                attempts -= 1
                standing.refused("HTTP \(status): \(message)")
                logger.error(
                    "Bookbag answered HTTP \(status) (\(message)): check BOOKBAG_API_KEY/BOOKBAG_API_KEY_FILE, BOOKBAG_CHATBOT_ID and BOOKBAG_BASE_URL. Not committing; retrying in \(configurationRetryDelay)")
                try? await Task.sleep(for: configurationRetryDelay)
            }
        }
    }

    private func decision(
        _ contact: PendingContact, _ status: SyncStatus, _ attempts: Int, _ httpStatus: Int?, _ error: SyncError?
    ) -> ContactDecision {
        ContactDecision(
            update: contact.update, status: status, attempts: attempts, httpStatus: httpStatus, error: error,
            ignoredAttributes: contact.ignoredAttributes)
    }

    private func budgetExhausted(_ message: String) -> SyncError {
        SyncError(code: SyncError.Code.retryBudgetExhausted, message: "retry budget exhausted: \(message)")
    }
}

extension UpsertOutcome {
    var isUndefinedAttribute: Bool {
        if case .undefinedAttribute = self { return true }
        return false
    }
}
