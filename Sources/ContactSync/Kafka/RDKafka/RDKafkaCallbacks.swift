import CRdKafka
import ContactSyncCore
import Logging

/// What the C callbacks of one client reach back into. librdkafka calls them with
/// the opaque pointer set by `rd_kafka_conf_set_opaque`; the client keeps this
/// object alive (retained) for as long as the C handle exists.
final class RDKafkaCallbacks: Sendable {
    let logger: Logger
    /// Runs on the poll thread, inside `rd_kafka_consumer_poll`, before an
    /// unassign (revoke) or after an assign. Returns the offsets to commit
    /// synchronously before the partitions are given up.
    let onRebalance: (@Sendable (RebalanceEvent) -> [(TopicPartition, Int64)])?
    /// Errors librdkafka reports asynchronously (broker down, fatal producer errors).
    let onError: @Sendable (_ message: String, _ isFatal: Bool) -> Void
    /// Delivery reports: the token given to produce, and on failure the error
    /// and a copy of the message so it can be produced again.
    let onDelivery: (@Sendable (_ token: UnsafeMutableRawPointer?, _ failure: DeliveryFailure?) -> Void)?

    init(
        logger: Logger,
        onRebalance: (@Sendable (RebalanceEvent) -> [(TopicPartition, Int64)])? = nil,
        onError: @escaping @Sendable (String, Bool) -> Void,
        onDelivery: (@Sendable (UnsafeMutableRawPointer?, DeliveryFailure?) -> Void)? = nil
    ) {
        self.logger = logger
        self.onRebalance = onRebalance
        self.onError = onError
        self.onDelivery = onDelivery
    }

    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_error_cb(conf, rdkafkaErrorCallback)
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        if onRebalance != nil { rd_kafka_conf_set_rebalance_cb(conf, rdkafkaRebalanceCallback) }
        if onDelivery != nil { rd_kafka_conf_set_dr_msg_cb(conf, rdkafkaDeliveryCallback) }
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        opaque.map { Unmanaged<RDKafkaCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }
}

private func rdkafkaErrorCallback(
    _ rk: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let callbacks = RDKafkaCallbacks.from(opaque) else { return }
    let text = reason.map { String(cString: $0) } ?? "unknown error"
    var isFatal = false
    if rd_kafka_resp_err_t(code) == RD_KAFKA_RESP_ERR__FATAL, let rk {
        isFatal = true
        let (_, fatalText) = KafkaError.withErrorBuffer { buffer, size in rd_kafka_fatal_error(rk, buffer, size) }
        callbacks.onError("fatal: \(fatalText)", true)
        return
    }
    callbacks.onError(text, isFatal)
}

private func rdkafkaLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    guard let rk, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(rk)) else { return }
    let text = message.map { String(cString: $0) } ?? ""
    let facilityText = facility.map { String(cString: $0) } ?? ""
    // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
    let logLevel: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
    callbacks.logger.log(level: logLevel, "\(text)", metadata: ["librdkafka.facility": "\(facilityText)"])
}

private func rdkafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ code: rd_kafka_resp_err_t,
    _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
    let partitions = RDKafkaTopicPartitionList.partitions(in: list)
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    switch code {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(rk, list)
        }
        // librdkafka keeps a partition's pause flag across unassign and assign
        // (eager and cooperative alike), while a newly assigned partition is
        // fetching as far as the consumer's state machine knows; clear the flag
        // so the two agree. The state machine pauses it again if it must.
        _ = rd_kafka_resume_partitions(rk, list)
        _ = callbacks.onRebalance?(.assigned(partitions))
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        let offsets = callbacks.onRebalance?(.revoked(partitions)) ?? []
        if !offsets.isEmpty {
            let commitList = RDKafkaTopicPartitionList(offsets.map(\.0), offsets: offsets.map(\.1))
            let commitCode = commitList.withPointer { rd_kafka_commit(rk, $0, 0) }
            if commitCode != RD_KAFKA_RESP_ERR_NO_ERROR {
                callbacks.logger.warning("commit on revoke failed: \(String(cString: rd_kafka_err2str(commitCode)))")
            }
        }
        if cooperative {
            if let error = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(rk, nil)
        }
    default:
        callbacks.logger.error("rebalance failed: \(String(cString: rd_kafka_err2str(code)))")
        _ = callbacks.onRebalance?(.revoked(partitions))
        rd_kafka_assign(rk, nil)
    }
}

private func rdkafkaDeliveryCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
    let m = message.pointee
    var failure: DeliveryFailure?
    if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
        let producerStateLost = [
            RD_KAFKA_RESP_ERR_PRODUCER_FENCED, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
            RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH,
            RD_KAFKA_RESP_ERR__FATAL,
        ].contains(m.err)
        failure = DeliveryFailure(
            error: String(cString: rd_kafka_err2str(m.err)), requiresNewProducer: producerStateLost,
            messageTooLarge: KafkaError.isMessageTooLarge(m.err),
            timedOut: m.err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            topic: m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            key: m.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? [])
    }
    callbacks.onDelivery?(m._private, failure)
}

/// A message the broker did not take, with what is needed to send it again.
struct DeliveryFailure: Sendable {
    var error: String
    /// The broker no longer knows this producer's idempotence state (it lost
    /// its data, or another producer took the id): only a new producer helps.
    var requiresNewProducer: Bool
    /// The broker refused it as larger than it allows: sending it again as it is cannot help.
    var messageTooLarge: Bool
    /// Not acknowledged within `message.timeout.ms`.
    var timedOut: Bool
    var topic: String
    var key: [UInt8]?
    var value: [UInt8]
}
