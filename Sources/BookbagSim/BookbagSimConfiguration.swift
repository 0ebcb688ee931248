/// How a simulator instance is set up. The defaults suit in-process tests.
public struct BookbagSimConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound port is reported once listening.
    public var port: Int
    /// The one valid key. Never logged.
    public var apiKey: String
    /// The chatbot the key is scoped to (digits).
    public var chatbotID: String
    /// A chatbot that exists but is outside the key's scope: calls for it get 403.
    public var otherChatbotID: String?
    /// Attribute definitions present at start and after `POST /_sim/reset`.
    public var seededAttributes: [SimAttributeDefinition]
    /// Faults active at start and after `POST /_sim/reset`.
    public var faults: SimFaults
    /// Upserts remembered for `GET /_sim/upserts` (entries, oldest dropped first).
    public var upsertLogCapacity: Int
    /// Largest request body accepted.
    public var maximumBodyBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 0, apiKey: String, chatbotID: String = "123",
        otherChatbotID: String? = nil, seededAttributes: [SimAttributeDefinition] = [],
        faults: SimFaults = .none, upsertLogCapacity: Int = 100_000, maximumBodyBytes: Int = 32 << 20
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.chatbotID = chatbotID
        self.otherChatbotID = otherChatbotID
        self.seededAttributes = seededAttributes
        self.faults = faults
        self.upsertLogCapacity = upsertLogCapacity
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Convenience for `entryErrorIDs` at start (they live in `faults`).
    public var entryErrorIDs: Set<String> {
        get { faults.entryErrorIDs }
        set { faults.entryErrorIDs = newValue }
    }
}
