// The checks' way to fail, for every target (they share one module in the one fuzzer binary).

/// `precondition` that also reports in `-O` builds (where `precondition`
/// traps without its message): libFuzzer then saves the input as a crash.
@inline(__always)
func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition { fail(message(), file: file, line: line) }
}

func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz invariant: \(message)", file: file, line: line)
}
