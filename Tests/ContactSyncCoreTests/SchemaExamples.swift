import Foundation

/// The files of schemas/examples (the contract's examples), found from this
/// file's place in the package.
enum SchemaExamples {
    static let folder: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/examples")

    /// The `.json` files of `schemas/examples/<subfolder>`, by name.
    static func files(_ subfolder: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = folder.appendingPathComponent(subfolder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        return try names.sorted().map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}
