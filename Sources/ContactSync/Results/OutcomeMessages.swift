import ContactSyncCore
import Logging

/// What a batch reports: one result per contact decision (split when too
/// large for one message) and a dead letter per rejected or failed record (cut
/// to a prefix when too large), built to fit the producer's limit.
struct OutcomeMessages: Sendable {
    let chatbotID: String
    let resultTopic: String
    let deadLetterTopic: String
    /// The most bytes (key plus value) a result or dead letter may hold: the
    /// producer's limit. Larger ones are cut (dead letters) or split (results).
    let maxMessageBytes: Int
    let metrics: ServiceMetrics
    let logger: Logger

    /// The decisions as results and dead letters (off the loop); with
    /// `work.messages` they account for every record of the batch.
    func decisions(
        _ decisions: ArraySlice<ContactDecision>, in work: BatchProcessor.Work, decidedAt: Timestamp
    ) -> [OutgoingMessage] {
        var messages: [OutgoingMessage] = []
        messages.reserveCapacity(decisions.count)
        var recordsBySource: [RecordSource: KafkaRecord]?
        for decision in decisions {
            messages += results(
                externalID: decision.update.externalID, status: decision.status, eventIDs: decision.update.eventIDs,
                sources: decision.update.sources, attempts: decision.attempts, httpStatus: decision.httpStatus,
                error: decision.error, ignored: decision.ignoredAttributes, reason: nil, at: decidedAt)
            if let error = decision.error, decision.status == .rejected || decision.status == .failed {
                if recordsBySource == nil {
                    recordsBySource = Dictionary(work.batch.records.map { ($0.source, $0) }, uniquingKeysWith: { a, _ in a })
                }
                for source in decision.update.sources {
                    guard let record = recordsBySource?[source] else { continue }
                    messages.append(deadLetter(record, error: error, externalID: decision.update.externalID,
                                               eventIDs: decision.update.eventIDs, at: decidedAt))
                    metrics.deadLetter(code: error.code)
                }
            }
        }
        return messages
    }

    /// The result as one message, or as several when it is too large for one
    /// (a contact folded from very many events).
    func results(
        externalID: String?, status: SyncStatus, eventIDs: [String], sources: [RecordSource], attempts: Int,
        httpStatus: Int?, error: SyncError?, ignored: [String], reason: String?, at decidedAt: Timestamp
    ) -> [OutgoingMessage] {
        let record = ResultRecord(
            externalID: externalID, status: status, chatbotID: chatbotID, eventIDs: eventIDs,
            sources: sources, attempts: attempts, httpStatus: httpStatus, error: error, ignoredAttributes: ignored,
            reason: reason, decidedAt: decidedAt)
        let messages = Self.resultMessages(record, topic: resultTopic, maxBytes: maxMessageBytes)
        if messages.count > 1 {
            metrics.oversized(topic: resultTopic)
            logger.notice("the result for \(externalID ?? "an unreadable record") is published as \(messages.count) records, each under \(maxMessageBytes) bytes")
        }
        return messages
    }

    /// Parts that fit `maxBytes`, each of which can be split again; the whole
    /// record when not even one event fits (the publisher then stops the service).
    static func resultMessages(_ record: ResultRecord, topic: String, maxBytes: Int) -> [OutgoingMessage] {
        let key = record.externalID.map { Array($0.utf8) }
        func message(_ part: ResultRecord, _ json: [UInt8]) -> OutgoingMessage {
            OutgoingMessage(topic: topic, key: key, value: json) { smaller in
                guard part.split(toFit: smaller - (key?.count ?? 0)) != nil else { return nil }
                return resultMessages(part, topic: topic, maxBytes: smaller)
            }
        }
        // Nearly every result fits whole: no split on the way (one result per contact).
        let whole = record.jsonBytes()
        if whole.count <= maxBytes - (key?.count ?? 0) { return [message(record, whole)] }
        let parts = record.split(toFit: maxBytes - (key?.count ?? 0)) ?? [(record, whole)]
        return parts.map { message($0.record, $0.json) }
    }

    func deadLetter(
        _ record: KafkaRecord, error: SyncError, externalID: String?, eventIDs: [String], at decidedAt: Timestamp
    ) -> OutgoingMessage {
        let letter = DeadLetterRecord(
            source: record.source, key: record.key, value: record.valueIsNull ? nil : record.value, headers: record.headers,
            error: error,
            decidedAt: decidedAt, externalID: externalID, eventIDs: eventIDs)
        let topic = deadLetterTopic
        guard let (message, truncated) = Self.deadLetterMessage(letter, topic: topic, maxBytes: maxMessageBytes) else {
            // Below any real limit (the start-up check refuses it); the publisher stops the service.
            return OutgoingMessage(topic: topic, key: letter.messageKey, value: letter.jsonBytes())
        }
        if truncated {
            metrics.oversized(topic: topic)
            logger.notice("the dead letter of \(record.topic)/\(record.partition)/\(record.offset) holds a prefix of its \(record.valueByteCount)-byte value, to fit \(maxMessageBytes) bytes")
        }
        return message
    }

    /// The dead letter within `maxBytes`, able to shrink again; nil when it cannot fit.
    static func deadLetterMessage(_ letter: DeadLetterRecord, topic: String, maxBytes: Int) -> (OutgoingMessage, truncated: Bool)? {
        guard let fitted = letter.message(maxBytes: maxBytes) else { return nil }
        let message = OutgoingMessage(topic: topic, key: fitted.key, value: fitted.value) { smaller in
            deadLetterMessage(letter, topic: topic, maxBytes: smaller).map { [$0.0] }
        }
        return (message, fitted.truncated)
    }
}
