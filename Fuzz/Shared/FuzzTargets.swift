import Foundation

// The one fuzzer binary holds every target; FUZZ_TARGET=<folder name> picks the
// one a process runs, read once when libFuzzer starts. An unset or unknown name
// ends the process with status 2 before anything is fuzzed.

enum FuzzTargets {
    typealias Entry = @Sendable (_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32

    /// Each target's folder under Fuzz/ and its entry function. A new target adds its line here.
    static let all: [(name: String, entry: Entry)] = [
        ("base-url", fuzzBaseURL),
        ("clock-record", fuzzClockRecord),
        ("config", fuzzConfig),
        ("decode-fold", fuzzDecodeFold),
        ("intake-body", fuzzIntakeBody),
        ("intake-signature", fuzzIntakeSignature),
        ("response", fuzzResponse),
        ("retry-after", fuzzRetryAfter),
    ]

    /// The entry FUZZ_TARGET names.
    static let selected: Entry = {
        let known = all.map(\.name).joined(separator: " ")
        guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }), !name.isEmpty else {
            refuse("FUZZ_TARGET is not set; set it to one of: \(known)")
        }
        guard let target = all.first(where: { $0.name == name }) else {
            refuse("FUZZ_TARGET=\(name) names no target; known: \(known)")
        }
        return target.entry
    }()

    private static func refuse(_ message: String) -> Never {
        FileHandle.standardError.write(Data("fuzz: \(message)\n".utf8))
        _exit(2)  // not exit: LeakSanitizer would report the strings still held and exit with 1
    }
}

/// Called by libFuzzer once, before any input: picks the target (or exits).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    _ = FuzzTargets.selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTargets.selected(data, size)
}
