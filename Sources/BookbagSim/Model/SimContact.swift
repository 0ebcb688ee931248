import ContactSyncCore

/// A contact as the simulator stores it.
public struct SimContact: Sendable, Equatable {
    public var externalID: String
    public var name: String?
    public var email: String?
    public var phonenumber: String?
    /// Kept as received (any JSON) when an upsert carries it.
    public var stripeAccounts: JSONValue?
    public var customAttributes: [String: JSONValue]
    /// Unix seconds.
    public var createdAt: Int
    /// Unix seconds.
    public var updatedAt: Int

    public init(
        externalID: String, name: String? = nil, email: String? = nil, phonenumber: String? = nil,
        stripeAccounts: JSONValue? = nil, customAttributes: [String: JSONValue] = [:],
        createdAt: Int, updatedAt: Int
    ) {
        self.externalID = externalID
        self.name = name
        self.email = email
        self.phonenumber = phonenumber
        self.stripeAccounts = stripeAccounts
        self.customAttributes = customAttributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// `^[a-zA-Z0-9._-]{1,128}$`
    public static func isValidExternalID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy {
            isASCIILetter($0) || isASCIIDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: "-")
        }
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("external_id")
        writer.string(externalID)
        writer.key("name")
        writer.string(name)
        writer.key("email")
        writer.string(email)
        writer.key("phonenumber")
        writer.string(phonenumber)
        if let stripeAccounts {
            writer.key("stripe_accounts")
            writer.value(stripeAccounts)
        }
        writer.key("custom_attributes")
        writer.value(.object(customAttributes))
        writer.key("created_at")
        writer.number(createdAt)
        writer.key("updated_at")
        writer.number(updatedAt)
        writer.endObject()
    }
}
