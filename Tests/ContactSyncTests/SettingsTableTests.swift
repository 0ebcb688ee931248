import ContactSync
import Foundation
import Testing

/// The settings table is the one source of names, defaults and help: the README
/// shows it, `--help` prints it and the reader reads exactly its names.
@Suite struct SettingsTableTests {
    private static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
    private static let begin = "<!-- settings table: generated from SettingsTable.all; UPDATE_README=1 swift test --filter SettingsTableTests rewrites it -->"
    private static let end = "<!-- end of settings table -->"

    @Test func theReadmeShowsTheTable() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "README lacks the settings-table marker")
        let finish = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex))
        let shown = text[start.upperBound..<finish.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        if ProcessInfo.processInfo.environment["UPDATE_README"] == "1", shown != SettingsTable.markdown {
            let updated = text.replacingCharacters(in: start.upperBound..<finish.lowerBound, with: "\n" + SettingsTable.markdown + "\n")
            try updated.write(to: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        #expect(shown == SettingsTable.markdown, "README's settings table differs from SettingsTable.all; rerun with UPDATE_README=1")
    }

    @Test func namesAreUniqueAndNumericDefaultsAreRead() throws {
        #expect(SettingsTable.names.count == SettingsTable.all.count)
        // A setting with a whole-number default refuses a value that is not one,
        // naming itself: proof the reader reads that name.
        let base = ["BOOKBAG_CHATBOT_ID": "7", "BOOKBAG_API_KEY": "oc_key_for_the_table_test"]
        let numeric = SettingsTable.all.filter { Int($0.defaultValue) != nil }
        #expect(numeric.count >= 15)
        for setting in numeric {
            var environment = base
            environment[setting.name] = "not-a-number"
            #expect(throws: ConfigurationReader.ConfigurationError.self, "\(setting.name)") {
                try ConfigurationReader.read(environment: environment)
            }
            do {
                _ = try ConfigurationReader.read(environment: environment)
            } catch {
                #expect("\(error)".contains(setting.name), "\(error)")
            }
        }
    }

    @Test func secretsAreNotFlagsAndHelpListsEveryName() {
        #expect(SettingsTable.all.filter(\.isSecret).map(\.name) == ["BOOKBAG_API_KEY", "INTAKE_SIGNING_SECRETS_FILE"])
        for setting in SettingsTable.all {
            #expect(SettingsTable.helpText.contains("  \(setting.name)\n"))
        }
        #expect(SettingsTable.all.first { $0.name == "KAFKA_BROKERS" }?.flag == "--kafka-brokers")
    }
}
