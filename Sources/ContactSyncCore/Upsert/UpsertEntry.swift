/// One entry of `{"users": [...]}` in an upsert request (contracts section 2).
/// A `nil` field is left out of the JSON (Bookbag leaves it unchanged); a
/// `.clear` is sent as `null`.
public struct UpsertEntry: Sendable, Equatable {
    public var externalID: String
    public var email: FieldChange<String>
    public var name: FieldChange<String>
    /// The event's `phone`, sent as `phonenumber`.
    public var phoneNumber: FieldChange<String>
    /// Sorted by name, so equal entries encode to equal bytes.
    public var customAttributes: [(name: String, value: AttributeValue)]

    public init(
        externalID: String, email: FieldChange<String> = .absent, name: FieldChange<String> = .absent,
        phoneNumber: FieldChange<String> = .absent,
        customAttributes: [(name: String, value: AttributeValue)] = []
    ) {
        self.externalID = externalID
        self.email = email
        self.name = name
        self.phoneNumber = phoneNumber
        self.customAttributes = customAttributes
    }

    public static func == (a: UpsertEntry, b: UpsertEntry) -> Bool {
        a.externalID == b.externalID && a.email == b.email && a.name == b.name
            && a.phoneNumber == b.phoneNumber
            && a.customAttributes.map(\.name) == b.customAttributes.map(\.name)
            && a.customAttributes.map(\.value) == b.customAttributes.map(\.value)
    }
}
