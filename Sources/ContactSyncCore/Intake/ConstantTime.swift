/// Comparisons whose running time does not depend on where secret bytes differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Every byte pair is looked at,
    /// so the time taken tells an attacker nothing about how long a prefix of
    /// a forged MAC was right.
    ///
    /// Different lengths return false at once: the length is not secret (a v1
    /// signature is always 32 bytes, and the sender chose the length it sent).
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
