/// Which custom attributes are synced and with what type (contracts section 5).
/// With an allowlist (`ATTRIBUTES_FILE`) only the listed ones, plus the
/// built-in `last_login_at: date`; without one, every attribute, typed by its
/// first non-null value.
public struct AttributePolicy: Sendable {
    /// Listed name -> type, built-ins included; `nil` infers on first sight.
    public let allowlist: [String: AttributeType]?

    public init(allowlist: [String: AttributeType]?) {
        // Built-ins win over the file: the service writes last_login_at as a date.
        self.allowlist = allowlist?.merging(BuiltInAttribute.types) { _, builtIn in builtIn }
    }

    /// No allowlist: every attribute is synced, typed by its first value.
    public static let inferring = AttributePolicy(allowlist: nil)

    public var infersTypes: Bool { allowlist == nil }

    public func allows(_ name: String) -> Bool {
        guard let allowlist else { return true }
        return allowlist[name] != nil
    }

    /// The type an attribute must be created with, when the policy fixes it.
    public func declaredType(of name: String) -> AttributeType? {
        allowlist?[name] ?? BuiltInAttribute.types[name]
    }
}
