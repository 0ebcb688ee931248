import ContactSync
import Testing

/// The adaptive batch and request sizes are set as bounds; one bound alone
/// moves the other only where the default would cross it.
@Suite struct BatchingSettingsTests {
    private let base = ["BOOKBAG_CHATBOT_ID": "123", "BOOKBAG_API_KEY": "oc_env_key_123456"]

    private func batching(_ settings: [String: String]) throws -> ContactSyncConfiguration.Batching {
        try ConfigurationReader.read(environment: base.merging(settings) { $1 }, flags: []).batching
    }

    @Test func defaultsNeedNoTuning() throws {
        let batching = try batching([:])
        #expect(batching.minEvents == 500 && batching.maxEvents == 10_000)
        #expect(batching.upsertMinUsers == 100 && batching.upsertMaxUsers == 1_000)
        #expect(batching.maxOutstandingRecords >= 2 * batching.maxEvents, "room for a batch in flight and the next at the maximum size")
    }

    @Test func aMaximumAloneBelowTheDefaultMinimumIsAFixedSize() throws {
        let batching = try batching(["BATCH_MAX_EVENTS": "200", "UPSERT_MAX_USERS": "50"])
        #expect(batching.minEvents == 200 && batching.maxEvents == 200)
        #expect(batching.upsertMinUsers == 50 && batching.upsertMaxUsers == 50)
    }

    @Test func aMinimumAloneAboveTheDefaultMaximumRaisesIt() throws {
        let batching = try batching(["BATCH_MIN_EVENTS": "12000"])
        #expect(batching.minEvents == 12_000 && batching.maxEvents == 12_000)
    }

    @Test func bothBoundsAreTakenAsGiven() throws {
        let batching = try batching(["BATCH_MIN_EVENTS": "100", "BATCH_MAX_EVENTS": "20000", "UPSERT_MIN_USERS": "1000"])
        #expect(batching.minEvents == 100 && batching.maxEvents == 20_000)
        #expect(batching.upsertMinUsers == 1_000 && batching.upsertMaxUsers == 1_000)
    }

    @Test func crossedBoundsAreRefusedByName() {
        #expect(throws: (any Error).self) { try batching(["BATCH_MIN_EVENTS": "900", "BATCH_MAX_EVENTS": "800"]) }
        do {
            _ = try batching(["UPSERT_MIN_USERS": "500", "UPSERT_MAX_USERS": "400"])
            Issue.record("crossed bounds were accepted")
        } catch {
            #expect("\(error)" == "UPSERT_MIN_USERS (500) must not exceed UPSERT_MAX_USERS (400)")
        }
    }

    @Test func bookbagsOwnLimitBoundsTheRequestSize() {
        #expect(throws: (any Error).self) { try batching(["UPSERT_MAX_USERS": "1001"]) }
    }
}
