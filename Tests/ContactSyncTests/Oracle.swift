import BookbagSim
import ContactSync
import Foundation
import Workload

/// Traffic from the Workload generator, produced into a test's topics, with the
/// final state the contacts must reach.
struct ProducedTraffic {
    var records: [GeneratedRecord] = []
    var expected = ExpectedState()

    var goodEventIDs: Set<String> { Set(records.filter { !$0.isBad }.compactMap(\.eventID)) }
    var badCount: Int { records.filter(\.isBad).count }

    static func produce(_ spec: WorkloadSpec, into topics: TestTopics) async throws -> ProducedTraffic {
        let (login, profile) = (topics.login, topics.profile)
        return try await offPool {
            var traffic = ProducedTraffic()
            let producer = try KafkaTrafficProducer(brokers: TestBroker.address)
            for record in WorkloadGenerator(spec: spec) {
                producer.send(topic: record.topic == .login ? login : profile, key: record.key, value: record.value)
                traffic.expected.apply(record)
                traffic.records.append(record)
            }
            precondition(producer.flush() == 0, "traffic not delivered")
            return traffic
        }
    }
}

/// Differences between what Bookbag (the sim) stores and what the event log says.
func mismatches(_ expected: [String: ExpectedContact], in state: BookbagSimState) -> [String] {
    var problems: [String] = []
    for (id, want) in expected {
        guard let have = state.contact(id) else {
            problems.append("\(id): missing")
            continue
        }
        if have.email != want.email { problems.append("\(id): email") }
        if have.name != want.name { problems.append("\(id): name") }
        if have.phonenumber != want.phone { problems.append("\(id): phone") }
        var attributes: [String: ExpectedValue] = [:]
        for (name, value) in have.customAttributes {
            switch value {
            case .string(let text): attributes[name] = .string(text)
            case .number(let number): attributes[name] = .number(number)
            case .bool(let flag): attributes[name] = .bool(flag)
            default: problems.append("\(id): attribute \(name) has an odd value")
            }
        }
        if attributes != want.customAttributes { problems.append("\(id): custom attributes \(attributes) != \(want.customAttributes)") }
    }
    return problems
}

/// Reads results until every produced record is named in some result's sources.
func readUntilAccounted(_ topic: String, records: Int, timeout: Duration = .seconds(120)) async throws -> [ResultView] {
    return try await offPool {
        let reader = try KafkaTopicReader(brokers: TestBroker.address, topics: [topic])
        defer { reader.close() }
        var accounted = Set<String>()
        var seen = 0
        let raw = reader.read(timeout: timeout) { all in
            for record in all[seen...] {
                for source in ResultView(json: parseJSON(record.value)).sources {
                    accounted.insert("\(source.0)/\(source.1)/\(source.2)")
                }
            }
            seen = all.count
            return accounted.count >= records
        }
        return raw.map { ResultView(json: parseJSON($0.value)) }
    }
}
