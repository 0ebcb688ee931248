// swift-tools-version:6.1
import PackageDescription

// librdkafka >= 2.1 is built by scripts/setup.sh into .deps/librdkafka (Debian
// bookworm's 2.0.2 cannot parse tagged fields). SwiftPM adds no rpath for
// library search paths, and both builds share the soname librdkafka.so.1, so
// without the rpath below the binary would silently load the system's 2.0.2.
// Where .deps/librdkafka does not exist (a system with librdkafka >= 2.1, e.g.
// the Docker image) these flags point at nothing and the system library is used.
let packageRoot = String(#filePath.dropLast("/Package.swift".count))
let rdkafkaLib = "\(packageRoot)/.deps/librdkafka/lib"
let rdkafkaLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-L\(rdkafkaLib)", "-Xlinker", "-rpath", "-Xlinker", rdkafkaLib])
]

let package = Package(
    name: "contact-sync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "contact-sync", targets: ["contact-sync"]),
        .executable(name: "bookbag-sim", targets: ["bookbag-sim"]),
        .executable(name: "store-traffic", targets: ["store-traffic"]),
        .executable(name: "core-bench", targets: ["core-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // No default traits: they add swift-configuration and full Foundation (with ICU),
        // which the service does not use (see Ops/FileDescriptorOutput.swift).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The only door to librdkafka: a module map over rdkafka.h.
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka"),
        // The only door to libcurl, with typed wrappers for its variadic calls.
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // The only door to SQLite (the local field-clock store).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Thread names for the service's own pthreads.
        .systemLibrary(name: "CPthread", path: "Sources/CPthread"),
        // jemalloc as the service binary's allocator, with its settings (libjemalloc-dev).
        .target(name: "CJemalloc", linkerSettings: [.linkedLibrary("jemalloc")]),

        // Pure logic: decode, validate, fold, plan attributes, chunk, classify, retry. No I/O.
        .target(name: "ContactSyncCore"),

        // Synthetic store traffic for the demo, the benchmark and the tests (pure).
        .target(name: "Workload", dependencies: ["ContactSyncCore"]),

        // The running service: Kafka and HTTP edges, the pipeline, ops endpoints.
        .target(
            name: "ContactSync",
            dependencies: [
                "ContactSyncCore", "CRdKafka", "CCurl", "CSQLite", "CMalloc", "CPthread",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTP1Channel's limits (header sizes, idle timeout) for the webhook intake.
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            linkerSettings: rdkafkaLinkerSettings),
        .executableTarget(
            name: "contact-sync",
            dependencies: [
                "ContactSync", "CJemalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: rdkafkaLinkerSettings),

        // A local Bookbag (contracts section 2) with switchable faults.
        .target(
            name: "BookbagSim",
            dependencies: [
                // JSON reading and writing, RFC 3339.
                "ContactSyncCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // To drop connections (a fault) and for its locks.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "bookbag-sim",
            dependencies: [
                "BookbagSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "store-traffic",
            dependencies: [
                "ContactSync", "ContactSyncCore", "Workload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: rdkafkaLinkerSettings),
        // The pure core's micro-benchmark (a release-mode timing harness).
        .executableTarget(name: "core-bench", dependencies: ["ContactSyncCore", "Workload"]),

        .testTarget(name: "ContactSyncCoreTests", dependencies: ["ContactSyncCore", "Workload"]),
        // The tests' HTTP client: plain sockets, no URLSession (see LoopbackHTTP.swift for why).
        .target(name: "LoopbackHTTP", path: "Tests/LoopbackHTTP"),
        .testTarget(name: "BookbagSimTests", dependencies: ["BookbagSim", "ContactSyncCore", "LoopbackHTTP"]),
        .testTarget(
            name: "ContactSyncTests",
            dependencies: ["ContactSync", "BookbagSim", "Workload", "LoopbackHTTP"],
            linkerSettings: rdkafkaLinkerSettings),
    ]
)
