/// Which settings hold secrets, so that they are refused as flags: any user can
/// read a command line (/proc/<pid>/cmdline).
extension ConfigurationReader {
    /// Settings whose value is a secret: the key, and librdkafka's passwords,
    /// secrets and private keys.
    public static func isSecretSetting(_ variable: String) -> Bool {
        if ["BOOKBAG_API_KEY", "KAFKA_SSL_KEY_PEM", "KAFKA_SASL_OAUTHBEARER_CONFIG"].contains(variable) { return true }
        let words = variable.split(separator: "_")
        return words.contains { $0.contains("PASSWORD") || $0.contains("PASSWD") || $0.contains("SECRET") }
    }

    static func secretFileAdvice(_ variable: String) -> String {
        if variable == "BOOKBAG_API_KEY" { return " or, better, BOOKBAG_API_KEY_FILE" }
        if variable.hasPrefix("KAFKA_") { return " or its property in KAFKA_PROPERTIES_FILE" }
        return ""
    }
}
