import Foundation

/// Fuzzes `ConfigurationReader`: flags and environment as a user or an
/// orchestrator could set them, plus the files they name.
///
/// The input is up to five sections separated by 0x00 bytes:
///   0. the environment, one `NAME=VALUE` per line
///   1. the command line, one argument per line
///   2. the key file's contents (BOOKBAG_API_KEY_FILE then points at it)
///   3. a KAFKA_PROPERTIES_FILE
///   4. an ATTRIBUTES_FILE
/// Other `*_FILE` settings from the input are dropped: the target reads no path
/// it did not write.
///
/// Checks: no trap; the flags never yield a secret setting; an accepted
/// configuration has a non-empty key without spaces or control characters and
/// in-range settings; and the outcome does not depend on the key's value: with
/// every letter and digit of the key changed, the same error (word for word) or
/// the same acceptance follows, so no error can carry the key.
func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let sections = UnsafeBufferPointer(start: data, count: size)
        .split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false)
        .map { Array($0) }
    let text = { (index: Int) -> String? in
        index < sections.count ? String(decoding: sections[index], as: UTF8.self) : nil
    }

    var variables: [String: String] = [:]
    for line in (text(0) ?? "").split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    let arguments = (text(1) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let fromFlags = try? ConfigurationReader.flagsAsVariables(arguments) {
        for name in fromFlags.keys where ConfigurationReader.isSecretSetting(name) {
            fatalError("the secret setting \(name) was accepted as a flag")
        }
        variables.merge(fromFlags, uniquingKeysWith: { _, flag in flag })
    }
    for name in variables.keys where name.hasSuffix("_FILE") { variables[name] = nil }

    let keyFile = sections.count > 2 ? sections[2] : nil
    if sections.count > 3 { variables["KAFKA_PROPERTIES_FILE"] = FuzzFiles.store(sections[3], as: "properties") }
    if sections.count > 4 { variables["ATTRIBUTES_FILE"] = FuzzFiles.store(sections[4], as: "attributes") }

    let original = outcome(variables, keyFile: keyFile)
    var changed = variables
    changed["BOOKBAG_API_KEY"] = variables["BOOKBAG_API_KEY"].map { String(decoding: otherKey(Array($0.utf8)), as: UTF8.self) }
    let other = outcome(changed, keyFile: keyFile.map(otherKey))
    switch (original, other) {
    case (.failure(let first), .failure(let second)):
        guard first == second else { fatalError("an error depends on the key's value:\n\(first)\n\(second)") }
    case (.success(let first), .success(let second)):
        check(first)
        check(second)
    default:
        fatalError("accepting the configuration depends on the key's value: \(original) vs \(other)")
    }
    return 0
}

private enum Outcome {
    case success(ContactSyncConfiguration)
    case failure(String)
}

private func outcome(_ variables: [String: String], keyFile: [UInt8]?) -> Outcome {
    var variables = variables
    if let keyFile { variables["BOOKBAG_API_KEY_FILE"] = FuzzFiles.store(keyFile, as: "key") }
    do {
        return .success(try ConfigurationReader.build(from: variables))
    } catch {
        return .failure("\(error)")
    }
}

private func check(_ configuration: ContactSyncConfiguration) {
    let key = configuration.bookbag.apiKey.secret
    guard !key.isEmpty else { fatalError("accepted an empty key") }
    guard !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isWhitespace })
    else { fatalError("accepted a key with a space or control character") }
    guard (0...65535).contains(configuration.httpPort), (1...1000).contains(configuration.batching.upsertMaxUsers),
        !configuration.bookbag.chatbotID.isEmpty
    else { fatalError("accepted an out-of-range setting") }
    for name in configuration.ignoredVariables where !name.hasPrefix("KAFKA_") {
        fatalError("ignored \(name), which is not a KAFKA_ variable")
    }
}

/// The same key with every ASCII letter and digit replaced by another of its kind:
/// same length, same spaces, control characters and UTF-8 validity.
private func otherKey(_ bytes: [UInt8]) -> [UInt8] {
    bytes.map { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "y"), UInt8(ascii: "A")...UInt8(ascii: "Y"), UInt8(ascii: "0")...UInt8(ascii: "8"):
            byte + 1
        case UInt8(ascii: "z"): UInt8(ascii: "a")
        case UInt8(ascii: "Z"): UInt8(ascii: "A")
        case UInt8(ascii: "9"): UInt8(ascii: "0")
        default: byte
        }
    }
}

/// Files the target writes for the settings that name one, in a private folder.
enum FuzzFiles {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "contact-sync-config-fuzz-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()

    static func store(_ bytes: [UInt8], as name: String) -> String {
        let path = "\(folder)/\(name)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot write \(path)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            guard count > 0 else { fatalError("cannot write \(path)") }
            written += count
        }
        return path
    }
}
