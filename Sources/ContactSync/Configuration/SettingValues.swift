import FoundationEssentials

/// The raw settings (environment merged with flags), read by name: blank is unset.
struct SettingValues {
    private let variables: [String: String]

    init(_ variables: [String: String]) { self.variables = variables }

    func string(_ name: String) -> String? {
        assert(SettingsTable.names.contains(name), "\(name) is read but missing from SettingsTable.all")
        guard let value = variables[name]?.trimmingSpaces(), !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationReader.ConfigurationError(
                description: "\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A pair of bounds, each in `range`. When only one is set, the other
    /// follows it where its default would cross it (so BATCH_MAX_EVENTS=200
    /// alone means batches of 200, as a fixed size did before the bounds).
    func bounds(
        _ minimumName: String, _ maximumName: String, _ range: ClosedRange<Int>, defaults: (minimum: Int, maximum: Int)
    ) throws -> (minimum: Int, maximum: Int) {
        let minimum = try integer(minimumName, range)
        let maximum = try integer(maximumName, range)
        switch (minimum, maximum) {
        case (let minimum?, let maximum?):
            guard minimum <= maximum else {
                throw ConfigurationReader.ConfigurationError(
                    description: "\(minimumName) (\(minimum)) must not exceed \(maximumName) (\(maximum))")
            }
            return (minimum, maximum)
        case (let minimum?, nil): return (minimum, max(minimum, defaults.maximum))
        case (nil, let maximum?): return (min(defaults.minimum, maximum), maximum)
        case (nil, nil): return defaults
        }
    }

    func milliseconds(_ name: String, _ range: ClosedRange<Int>) throws -> Duration? {
        try integer(name, range).map { .milliseconds($0) }
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationReader.ConfigurationError(description: "\(name) must be true or false, got '\(text)'")
        }
    }
}
