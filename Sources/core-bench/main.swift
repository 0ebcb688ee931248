// The pure core on its own, in release mode, with no I/O: how long each stage
// of the record's way takes per event, and how the hand-rolled decoder compares
// with Foundation's JSONDecoder on the same records. Run by scripts/bench.sh
// (or: swift run -c release core-bench [events] [customers]).
import ContactSyncCore
import Foundation
import Workload


let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let eventCount = arguments.first ?? 200_000
let customers = arguments.dropFirst().first ?? 50_000
let batchSize = 5_000
let rounds = 3

let records = WorkloadGenerator(spec: WorkloadSpec(events: eventCount, customers: customers, badRecordShare: 0)).map(\.value)
let source = RecordSource(topic: "store.customer.login", partition: 0, offset: 0)

/// Resident bytes of this process, to size the clock cache.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
// Sized first, before the timed stages leave freed memory that a fill would reuse.
let residentBefore = residentBytes()
var filled = ClockCache(capacity: 10 * customers)
var fillSequence: UInt64 = 0
for record in records {
    guard case .success(let event) = EventDecoder.decode(record) else { continue }
    fillSequence += 1
    var folder = BatchFolder()
    folder.add(event, source: source, sequence: fillSequence)
    for update in folder.updates {
        var clocks = filled.lookup(update.externalID) ?? ContactClocks()
        clocks.record(stored: update)
        filled.store(update.externalID, clocks)
    }
}
let bytesPerContact = Double(residentBytes() - residentBefore) / Double(max(filled.count, 1))


/// Best of `rounds` runs, in nanoseconds per event (the machine is noisy; the minimum is the stable figure).
func measure(_ body: () -> Void) -> Double {
    var best = UInt64.max
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, DispatchTime.now().uptimeNanoseconds - start)
    }
    return Double(best) / Double(eventCount)
}

/// The shape of an event for Foundation's decoder (the comparison only).
struct FoundationEvent: Decodable {
    var type: String
    var event_id: String
    var occurred_at: String
    var external_id: String
    var email: String?
    var name: String?
    var phone: String?
    var custom_attributes: [String: FoundationValue]?
}

enum FoundationValue: Decodable {
    case string(String), number(Double), bool(Bool), null
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .string(try container.decode(String.self)) }
    }
}

var sink = 0  // keeps the optimiser from dropping work

let decodeNs = measure {
    for record in records {
        if case .success(let event) = EventDecoder.decode(record) { sink &+= event.externalID.utf8.count }
    }
}

let foundationDecoder = JSONDecoder()
let foundationNs = measure {
    for record in records {
        if let event = try? foundationDecoder.decode(FoundationEvent.self, from: Data(record)) {
            sink &+= event.external_id.utf8.count
        }
    }
}

// Decoded once for the later stages, in batches as the service sees them.
let events: [StoreEvent] = records.compactMap { if case .success(let event) = EventDecoder.decode($0) { event } else { nil } }
let batches = stride(from: 0, to: events.count, by: batchSize).map { Array(events[$0..<min($0 + batchSize, events.count)]) }

var folded: [[ContactUpdate]] = []
let foldNs = measure {
    folded = []
    var sequence: UInt64 = 0
    for batch in batches {
        var folder = BatchFolder()
        for event in batch {
            sequence += 1
            folder.add(event, source: source, sequence: sequence)
        }
        folded.append(folder.updates)
    }
}

var toSend: [[ContactUpdate]] = []
let reconcileNs = measure {
    toSend = []
    var cache = ClockCache(capacity: 50_000)
    for updates in folded {
        var changed: [ContactUpdate] = []
        for update in updates {
            let stored = cache.lookup(update.externalID)
            switch ClockReconciler.decide(update, against: stored, resendStored: false) {
            case .send(let kept, _, let advanced):
                changed.append(kept)
                // As if Bookbag stored every one.
                var clocks = stored ?? ContactClocks()
                clocks.merge(advanced)
                clocks.record(stored: kept)
                cache.store(update.externalID, clocks)
            case .unchanged(_, _, let advanced):
                if !advanced.isEmpty, var clocks = stored {
                    clocks.merge(advanced)
                    cache.store(update.externalID, clocks)
                }
            }
        }
        toSend.append(changed)
    }
}

let definitions = ["plan": AttributeType.text, "lifetime_value": .number, "vip": .boolean, "signup_at": .date,
                   "orders": .number, "locale": .text, BuiltInAttribute.lastLoginAt: .date]
    .map { AttributeDefinition(name: $0.key, type: $0.value) }
let catalog = AttributeCatalog(definitions: definitions)
let policy = AttributePolicy(allowlist: nil)
var requestBytes = 0
let requestNs = measure {
    requestBytes = 0
    for updates in toSend {
        let entries = updates.map { catalog.admit($0, policy: policy).entry }
        for range in UpsertRequest.chunks(entries.count, maxPerRequest: 100) {
            requestBytes += UpsertRequest.body(for: entries[range]).count
        }
    }
}

let decidedAt = WorkloadSpec.defaultStartTime
let resultNs = measure {
    for updates in folded {
        for update in updates {
            let record = ResultRecord(
                externalID: update.externalID, status: .synced, chatbotID: "123", eventIDs: update.eventIDs,
                sources: update.sources, attempts: 1, httpStatus: 200, decidedAt: decidedAt)
            sink &+= record.jsonBytes().count
        }
    }
}

let contacts = folded.reduce(0) { $0 + $1.count }
let total = decodeNs + foldNs + reconcileNs + requestNs + resultNs
func row(_ name: String, _ ns: Double) -> String {
    "| \(name) | \(String(format: "%.0f", ns)) | \(String(format: "%.2f", ns * Double(eventCount) / 1e9)) |"
}
print("""
| core stage (\(eventCount) events, \(customers) customers, best of \(rounds)) | ns per event | seconds |
| --- | --- | --- |
\(row("decode + validate (hand-rolled)", decodeNs))
\(row("  for comparison: Foundation JSONDecoder, same records", foundationNs))
\(row("fold per contact (batches of \(batchSize))", foldNs))
\(row("reconcile with field clocks + record", reconcileNs))
\(row("request bodies (admit + JSON, 100 users each)", requestNs))
\(row("result records (JSON)", resultNs))
\(row("core total, one core", total))

core_events_per_second=\(Int(1e9 / total)) decoder_speedup_vs_foundation=\(String(format: "%.1f", foundationNs / decodeNs)) \
folded_contacts=\(contacts) request_bytes=\(requestBytes) clock_cache_bytes_per_contact=\(Int(bytesPerContact)) sink=\(sink % 10)
""")
