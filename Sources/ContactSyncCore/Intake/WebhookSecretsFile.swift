/// The file of webhook secrets: one `whsec_...` a line, so a new secret can be
/// added before senders switch to it and the old one removed afterwards.
/// Blank lines and lines starting with `#` are ignored.
public enum WebhookSecretsFile {
    /// Each request is checked against every secret, so the list stays short.
    public static let maxSecrets = 16

    public static func parse(_ text: String) throws(WebhookSecretError) -> [WebhookSecret] {
        var secrets: [WebhookSecret] = []
        // Split on the byte: as Characters, "\r\n" is one and would not split on "\n".
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            let content = line.drop(while: WebhookSecret.isWhitespace)
            if content.isEmpty || content.first == UInt8(ascii: "#") { continue }
            let lineNumber = offset + 1
            guard secrets.count < maxSecrets else { throw .tooManySecrets(line: lineNumber) }
            do {
                secrets.append(try WebhookSecret(parsing: String(decoding: line, as: UTF8.self)))
            } catch {
                throw error.onLine(lineNumber)
            }
        }
        guard !secrets.isEmpty else { throw .noSecrets }
        return secrets
    }
}
