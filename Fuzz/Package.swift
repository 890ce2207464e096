// swift-tools-version:6.2
import PackageDescription

/// One libFuzzer executable per `FuzzTarget` case, named `fuzz-<case>`. They link only when built with
/// `-Xswiftc -sanitize=fuzzer`; scripts/fuzz.sh builds and runs them.
let fuzzTargets = ["postgres", "mysql", "redis", "tds", "tns", "mongodb", "drda", "os", "passive", "packet"]

let package = Package(
    name: "dbscout-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that the identity does not depend on the folder the repository is cloned into.
        .package(name: "dbscout", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(
            name: "FuzzTargets",
            dependencies: [
                .product(name: "DBScoutProtocols", package: "dbscout"),
                .product(name: "DBScoutCapture", package: "dbscout"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer", "FuzzTargets"]),
        // Built without the fuzzer flags (see its doc comment): it has no LLVMFuzzerTestOneInput to link.
        .executableTarget(
            name: "fuzz-seeds",
            dependencies: [
                "FuzzTargets",
                .product(name: "DBScoutProtocols", package: "dbscout"),
                .product(name: "DBScoutCapture", package: "dbscout"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
        + fuzzTargets.map { .executableTarget(name: "fuzz-\($0)", dependencies: ["FuzzDriver", "FuzzTargets"]) }
)

// The main package's strict settings.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.treatAllWarnings(as: .error))
    target.swiftSettings = settings
}
