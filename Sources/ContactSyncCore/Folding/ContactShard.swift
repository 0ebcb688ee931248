/// Which of `count` folders a contact's events go to when a batch is folded
/// over several cores: every event of one contact goes to the same folder, so
/// each contact still folds its events in read order. FNV-1a over the
/// external_id's bytes, then SplitMix64's finalizer (FNV's bits mix poorly
/// when only the last characters differ, as in sequential ids): the same on
/// every run and replica (Swift's `Hasher` is seeded per process), and cheap
/// for short ids.
public enum ContactShard {
    public static func of(_ externalID: String, count: Int) -> Int {
        precondition(count > 0, "at least one shard")
        if count == 1 { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in externalID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Int(hash % UInt64(count))
    }
}
