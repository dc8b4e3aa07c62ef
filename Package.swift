// swift-tools-version:6.0
import PackageDescription

/// Purser: payment accounts for AI agents. No package dependencies: only the
/// toolchain and the system libraries libpq and OpenSSL.
let package = Package(
    name: "Purser",
    platforms: [.macOS(.v14)],
    products: [],
    targets: [
        // C modules
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Shared/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .target(name: "CLinux", path: "Shared/CLinux"),

        // Shared libraries
        .target(name: "PurserKit", path: "Shared/PurserKit"),
        .target(name: "PurserWire", path: "Shared/PurserWire"),
        .target(name: "PurserPostgres", dependencies: ["CLibPQ", "PurserKit"], path: "Shared/PurserPostgres"),
        .target(
            name: "PurserRPC", dependencies: ["COpenSSL", "CLinux", "PurserKit", "PurserWire"],
            path: "Shared/PurserRPC"),
        .target(name: "PurserAuth", dependencies: ["COpenSSL", "PurserKit"], path: "Shared/PurserAuth"),
        .executableTarget(name: "purser-rpc-bench", dependencies: ["PurserRPC", "PurserKit"], path: "Shared/PurserRPCBench"),
        .target(
            name: "PurserAPI", dependencies: ["PurserWire", "PurserRPC", "PurserPolicy"], path: "Shared/PurserAPI",
            exclude: ["proto"]),
        .target(name: "PurserTestSupport", dependencies: ["PurserKit", "PurserPostgres"], path: "Shared/PurserTestSupport"),

        // Service libraries
        .target(name: "PurserPolicy", dependencies: ["PurserKit"], path: "Services/Policy/Sources/PurserPolicy"),
        .target(name: "PurserEmail", dependencies: ["PurserKit"], path: "Services/EmailAlias/Sources/PurserEmail"),
        .target(
            name: "PurserPolicyService",
            dependencies: [
                "PurserPolicy", "PurserAPI", "PurserService", "PurserPostgres", "PurserRPC", "PurserAuth", "PurserKit",
                "PurserWire",
            ],
            path: "Services/Policy/Sources/PurserPolicyService"),
        .executableTarget(
            name: "purser-policy", dependencies: ["PurserPolicyService", "PurserService", "PurserKit", "PurserRPC"],
            path: "Services/Policy/Main"),

        // Tests
        .testTarget(name: "PurserKitTests", dependencies: ["PurserKit"]),
        .testTarget(name: "PurserWireTests", dependencies: ["PurserWire"]),
        .testTarget(
            name: "PurserPostgresTests", dependencies: ["PurserPostgres", "PurserTestSupport"]),
        .testTarget(
            name: "PurserRPCTests", dependencies: ["PurserRPC", "PurserWire", "PurserTestSupport", "COpenSSL", "CLinux"]),
        .testTarget(name: "PurserAuthTests", dependencies: ["PurserAuth"]),
        .testTarget(name: "PurserPolicyTests", dependencies: ["PurserPolicy"]),
        .testTarget(name: "PurserEmailTests", dependencies: ["PurserEmail"]),
        .testTarget(
            name: "PurserPolicyServiceTests",
            dependencies: [
                "PurserPolicyService", "PurserPolicy", "PurserIdentity", "PurserService", "PurserAuth", "PurserRPC",
                "PurserAPI", "PurserWire", "PurserKit", "PurserPostgres", "PurserTestSupport",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
