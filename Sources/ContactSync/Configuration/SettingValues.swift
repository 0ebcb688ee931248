import Foundation

/// The raw settings (environment merged with flags), read by name: blank is unset.
struct SettingValues {
    private let variables: [String: String]

    init(_ variables: [String: String]) { self.variables = variables }

    func string(_ name: String) -> String? {
        guard let value = variables[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
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
