import Testing

@testable import ContactSyncCore

/// A batch folds over the cores by `ContactShard`: one contact's events must
/// always reach the same folder, and the contacts spread over the folders.
@Suite struct ContactShardTests {
    @Test func aContactAlwaysHasTheSameShardWithinRange() {
        for count in 1...4 {
            for id in ["", "a", "cust-000001", "user_8821", "ü-ñ", String(repeating: "x", count: 300)] {
                let shard = ContactShard.of(id, count: count)
                #expect((0..<count).contains(shard))
                #expect(ContactShard.of(id, count: count) == shard)
            }
        }
        #expect(ContactShard.of("cust-000001", count: 1) == 0)
    }

    /// Fixed values: the shard must not depend on the process (Swift's `Hasher` is seeded per run).
    @Test func theShardIsTheSameOnEveryRun() {
        #expect(["cust-0", "cust-1", "cust-2", "cust-3", "cust-4", "cust-5"].map { ContactShard.of($0, count: 2) }
            == ["cust-0", "cust-1", "cust-2", "cust-3", "cust-4", "cust-5"].map { Self.fnvShard($0, 2) })
    }

    @Test(arguments: [2, 3, 4])
    func sequentialIdsSpreadOverTheShards(count: Int) {
        var perShard = [Int](repeating: 0, count: count)
        for n in 0..<10_000 { perShard[ContactShard.of("cust-\(n)", count: count)] += 1 }
        let even = 10_000 / count
        for shard in perShard { #expect(abs(shard - even) < even / 10, "\(perShard)") }
    }

    /// FNV-1a 64 and SplitMix64's finalizer as their authors give them, written out here.
    private static func fnvShard(_ id: String, _ count: Int) -> Int {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in Array(id.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 1_099_511_628_211
        }
        hash = (hash ^ (hash >> 30)) &* 13_787_848_793_156_543_929
        hash = (hash ^ (hash >> 27)) &* 10_723_151_780_598_845_931
        return Int((hash ^ (hash >> 31)) % UInt64(count))
    }
}
