/// Trimming for settings, files and headers, without full Foundation (see
/// Ops/FileDescriptorOutput.swift). `Character.isWhitespace` is Unicode's
/// White_Space property: spaces, tabs and line breaks.
extension StringProtocol {
    /// Without leading and trailing white space, line breaks included.
    func trimmingWhitespace() -> String {
        trimming { $0.isWhitespace }
    }

    /// Without leading and trailing spaces and tabs; line breaks stay.
    func trimmingSpaces() -> String {
        trimming { $0.isWhitespace && !$0.isNewline }
    }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
