/// Attributes the service itself sets.
public enum BuiltInAttribute {
    /// Set by every login to its `occurred_at` (contracts section 1).
    public static let lastLoginAt = "last_login_at"

    /// Always synced, with or without an `ATTRIBUTES_FILE` (contracts section 5).
    public static let types: [String: AttributeType] = [lastLoginAt: .date]
}
