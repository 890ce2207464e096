// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "dbscout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dbscout", targets: ["dbscout"]),
        .executable(name: "dbss-emulator", targets: ["dbss-emulator"]),
        .library(name: "DBSSEmulator", targets: ["DBSSEmulator"]),
        .library(name: "DBScoutProtocols", targets: ["DBScoutProtocols"]),
        .library(name: "DBScoutCapture", targets: ["DBScoutCapture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Already in the graph through async-http-client; named here because the scanner upgrades probes to TLS
        // and reads the server certificate.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Already in the graph through swift-certificates; AK/SK request signing needs SHA-256 and HMAC.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // The fleet inventory: many agents share one PostgreSQL database.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in the graph through postgres-nio; the daemon is a ServiceGroup of services.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(name: "DBScoutCore"),
        .target(
            name: "DBScoutProtocols",
            dependencies: [
                "DBScoutCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DBScoutScanner",
            dependencies: [
                "CEpoll",
                "DBScoutCore",
                "DBScoutProtocols",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(name: "CEpoll"),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(
            name: "DBScoutCapture",
            dependencies: [
                "DBScoutCore",
                "DBScoutProtocols",
                "DBScoutScanner",
                "CPcap",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DBScoutInventory",
            dependencies: [
                "DBScoutCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "DBScoutLocal", dependencies: ["DBScoutCore"]),
        .target(
            name: "DBSSClient",
            dependencies: [
                "DBScoutCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DBSSEmulator",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DBScoutAgent",
            dependencies: [
                "DBScoutCore",
                "DBScoutProtocols",
                "DBScoutScanner",
                "DBScoutCapture",
                "DBScoutInventory",
                "DBSSClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "DBScoutDaemon",
            dependencies: [
                "DBScoutAgent",
                "DBScoutCapture",
                "DBScoutCore",
                "DBScoutInventory",
                "DBScoutLocal",
                "DBScoutScanner",
                "DBSSClient",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dbscout",
            dependencies: [
                "DBScoutAgent",
                "DBScoutDaemon",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "DBScoutCapture",
                "DBScoutCore",
                "DBScoutScanner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dbss-emulator",
            dependencies: [
                "DBSSEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DBScoutTestSupport",
            dependencies: [
                "DBScoutCapture",
                "DBScoutCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/DBScoutTestSupport"
        ),
        .testTarget(name: "DBScoutCoreTests", dependencies: ["DBScoutCore"]),
        .testTarget(
            name: "DBScoutProtocolsTests",
            dependencies: [
                "DBScoutProtocols", "DBScoutCapture", "DBScoutCore", "DBScoutTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Manifest"]
        ),
        .testTarget(
            name: "DBScoutScannerTests",
            dependencies: [
                "DBScoutScanner", "DBScoutCore", "DBScoutTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DBScoutInventoryTests",
            dependencies: [
                "DBScoutInventory", "DBScoutCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "DBScoutCaptureTests",
            dependencies: ["DBScoutCapture", "DBScoutCore", "DBScoutProtocols", "DBScoutScanner", "DBScoutTestSupport"],
            exclude: ["Manifest"]
        ),
        .testTarget(name: "DBScoutLocalTests", dependencies: ["DBScoutLocal", "DBScoutCore", "DBScoutTestSupport"]),
        .testTarget(
            name: "DBSSClientTests",
            dependencies: [
                "DBSSClient", "DBSSEmulator", "DBScoutCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "DBSSEmulatorTests",
            dependencies: [
                "DBSSEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DBScoutDaemonTests",
            dependencies: [
                "DBScoutDaemon", "DBScoutAgent", "DBScoutCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "DBScoutAgentTests",
            dependencies: [
                "DBScoutAgent", "DBScoutCore", "DBScoutInventory", "DBScoutScanner", "DBSSClient", "DBSSEmulator",
                "DBScoutTestSupport",
            ]
        ),
        .testTarget(
            name: "DBScoutCLITests",
            dependencies: [
                "dbscout", "DBSSEmulator", "DBScoutCore", "DBScoutTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)

// Our own targets get the strict settings; dependencies keep theirs.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.treatAllWarnings(as: .error))
    target.swiftSettings = settings
}
