/// Why a webhook secret (or the file of them) was refused. The message says
/// what is wrong and, in a file, on which line; never any part of the secret.
public struct WebhookSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the secrets file, when the problem is on one.
    public let line: Int?
    /// A fixed sentence: it never quotes the input.
    public let problem: String

    public init(line: Int? = nil, problem: String) {
        self.line = line
        self.problem = problem
    }

    public var description: String {
        guard let line else { return problem }
        return "line \(line): \(problem)"
    }

    /// The same problem, placed on a line of the secrets file.
    func onLine(_ line: Int) -> WebhookSecretError {
        WebhookSecretError(line: line, problem: problem)
    }

    static let missingPrefix = WebhookSecretError(problem: "a webhook secret must start with \(WebhookSecret.prefix)")
    static let notBase64 = WebhookSecretError(
        problem: "the text after \(WebhookSecret.prefix) must be standard base64 (A-Z a-z 0-9 + /, '=' padded)")
    static let wrongKeySize = WebhookSecretError(
        problem: "a webhook secret must decode to \(WebhookSecret.keySizes.lowerBound) to"
            + " \(WebhookSecret.keySizes.upperBound) bytes")
    static let noSecrets = WebhookSecretError(problem: "no webhook secret found (one per line; '#' starts a comment line)")
    static func tooManySecrets(line: Int) -> WebhookSecretError {
        WebhookSecretError(
            line: line, problem: "more than \(WebhookSecretsFile.maxSecrets) webhook secrets; remove retired ones")
    }
}
