/// A field of a contact that events set and Bookbag stores.
public enum ContactField: Sendable, Hashable {
    case email
    case name
    /// Sent to Bookbag as `phonenumber`.
    case phone
    /// A custom attribute, by name.
    case attribute(String)

    /// The custom attribute every login sets (contracts section 1).
    public static let lastLoginAt: ContactField = .attribute(BuiltInAttribute.lastLoginAt)

    /// The attribute name, or `nil` for email, name and phone.
    public var attributeName: String? {
        if case .attribute(let name) = self { return name }
        return nil
    }
}
