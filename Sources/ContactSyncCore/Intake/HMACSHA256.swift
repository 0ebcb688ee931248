/// HMAC-SHA256 (RFC 2104), on the core's own `SHA256`: the webhook intake
/// verifies Standard Webhooks signatures with it.
///
/// Feed the message in pieces with `update`, then call `finalize` once. A
/// keyed value with nothing fed yet can be copied and reused for many messages.
public struct HMACSHA256: Sendable {
    /// SHA-256's block size: keys are padded (or first hashed) to it.
    private static let blockSize = 64

    private var inner = SHA256()
    /// The key padded to a block, XORed with the outer pad (0x5c).
    private let outerKeyBlock: [UInt8]

    public init(key: some Collection<UInt8>) {
        // RFC 2104 section 2: a key longer than a block is replaced by its hash.
        var block = key.count > Self.blockSize ? SHA256.digest(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: Self.blockSize - block.count))
        inner.update(block.map { $0 ^ 0x36 })
        outerKeyBlock = block.map { $0 ^ 0x5c }
    }

    /// The 32-byte MAC of `message` under `key`.
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        inner.update(bytes)
    }

    /// The 32-byte MAC of everything fed so far.
    public mutating func finalize() -> [UInt8] {
        var outer = SHA256()
        outer.update(outerKeyBlock)
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
