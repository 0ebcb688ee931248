/// The variables Kubernetes injects for a Service named `kafka`: recognised so
/// that they are not taken for librdkafka properties.
extension ConfigurationReader {
    /// Kubernetes gives every pod `<SERVICE>_SERVICE_HOST`, `<SERVICE>_SERVICE_PORT(_<NAME>)`,
    /// `<SERVICE>_PORT` and `<SERVICE>_PORT_<n>_<TCP|UDP|SCTP>(_ADDR|_PORT|_PROTO)` for each
    /// Service; for a Service named `kafka` (or `kafka-…`) they start with KAFKA_ and are
    /// not librdkafka properties (none ends in `.port` or `.service.host`).
    static func isKubernetesServiceLink(_ variable: String) -> Bool {
        let words = variable.split(separator: "_", omittingEmptySubsequences: false)
        guard words.count >= 2, words[0] == "KAFKA", !words.contains(where: \.isEmpty) else { return false }
        for index in 1..<words.count {
            let rest = words[(index + 1)...]
            switch words[index] {
            case "SERVICE":
                if rest.elementsEqual(["HOST"]) || rest.first == "PORT" { return true }
            case "PORT":
                if rest.isEmpty { return true }
                let parts = Array(rest)
                if parts.count >= 2, parts.count <= 3, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                    ["TCP", "UDP", "SCTP"].contains(parts[1]), parts.count == 2 || ["ADDR", "PORT", "PROTO"].contains(parts[2])
                {
                    return true
                }
            default: continue
            }
        }
        return false
    }

    /// The start-up line naming the ignored service links, or nil when there are none.
    public static func ignoredVariablesNotice(_ configuration: ContactSyncConfiguration) -> String? {
        guard !configuration.ignoredVariables.isEmpty else { return nil }
        return "ignoring Kubernetes service link variables, which are not librdkafka properties: "
            + configuration.ignoredVariables.joined(separator: ", ")
    }
}
