// swift-tools-version:6.0
import PackageDescription

/// Purser: payment accounts for AI agents. No package dependencies: only the
/// toolchain and the system libraries libpq and OpenSSL. Linux only (the
/// event loops use epoll and eventfd), so no Apple platform is declared.
let package = Package(
    name: "Purser",
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
        .target(name: "PurserMetrics", path: "Shared/PurserMetrics"),
        .target(name: "PurserWire", path: "Shared/PurserWire"),
        .target(name: "PurserJSON", path: "Shared/PurserJSON"),
        .target(name: "PurserPostgres", dependencies: ["CLibPQ", "PurserKit", "PurserMetrics"], path: "Shared/PurserPostgres"),
        .target(
            name: "PurserRPC", dependencies: ["COpenSSL", "CLinux", "PurserKit", "PurserWire", "PurserMetrics"],
            path: "Shared/PurserRPC", exclude: ["PROTOCOL.md"]),
        .target(name: "PurserHTTP", dependencies: ["PurserRPC", "PurserKit", "PurserJSON", "CLinux", "COpenSSL", "PurserMetrics"], path: "Shared/PurserHTTP"),
        .target(name: "PurserAuth", dependencies: ["COpenSSL", "PurserKit"], path: "Shared/PurserAuth"),
        .executableTarget(name: "purser-rpc-bench", dependencies: ["PurserRPC", "PurserKit"], path: "Services/Bench/RPC"),
        .target(
            name: "PurserAPI", dependencies: ["PurserWire", "PurserRPC"], path: "Shared/PurserAPI",
            exclude: ["proto"]),
        .target(name: "PurserBench", dependencies: ["PurserKit"], path: "Services/Bench/Support"),
        .executableTarget(
            name: "purser-bench",
            dependencies: [
                "PurserBench", "PurserIdentity", "PurserPolicyService", "PurserWallet", "PurserEmailService", "PurserSettlement",
                "PurserService", "PurserAPI", "PurserAuth", "PurserKit", "PurserPostgres", "PurserRPC", "PurserHTTP", "COpenSSL",
            ],
            path: "Services/Bench/Main"),
        .target(
            name: "PurserTestSupport", dependencies: ["PurserKit", "PurserPostgres", "PurserRPC", "COpenSSL", "CLinux"],
            path: "Tests/Support/PurserTestSupport"),
        .target(
            name: "PurserServiceHarness",
            dependencies: [
                "PurserIdentity", "PurserPolicyService", "PurserWallet", "PurserSettlement", "PurserService", "PurserAuth",
                "PurserRPC", "PurserAPI", "PurserWire", "PurserKit", "PurserTestSupport", "PurserPostgres",
            ],
            path: "Tests/Support/PurserServiceHarness"),
        .target(
            name: "PurserClient", dependencies: ["PurserAPI", "PurserRPC", "PurserKit", "PurserWire"],
            path: "Shared/PurserClient"),
        .target(
            name: "PurserService",
            dependencies: ["PurserKit", "PurserPostgres", "PurserRPC", "PurserWire", "PurserAuth", "PurserAPI", "PurserHTTP", "PurserMetrics"],
            path: "Shared/PurserService"),

        // Services
        .target(
            name: "PurserIdentity",
            dependencies: [
                "PurserKit", "PurserPostgres", "PurserRPC", "PurserWire", "PurserAuth", "PurserAPI", "PurserService",
                "PurserPolicy", "PurserHTTP", "PurserMetrics",
            ],
            path: "Services/Identity/Sources"),
        .executableTarget(
            name: "purser-identity", dependencies: ["PurserIdentity", "PurserService", "PurserKit", "PurserRPC"],
            path: "Services/Identity/Main"),

        .target(
            name: "PurserGateway", dependencies: ["PurserJSON", "PurserWire", "PurserKit", "PurserRPC", "PurserHTTP", "PurserAuth", "PurserAPI", "PurserMetrics"],
            path: "Services/Gateway/Sources"),
        .executableTarget(
            name: "purser-gateway", dependencies: ["PurserGateway", "PurserHTTP", "PurserKit", "PurserRPC", "PurserMetrics"],
            path: "Services/Gateway/Main"),

        // Service libraries
        .target(name: "PurserPolicy", dependencies: ["PurserKit"], path: "Shared/PurserPolicy"),
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
        .target(
            name: "PurserSettlement",
            dependencies: ["PurserKit", "PurserPostgres", "PurserRPC", "PurserWire", "PurserAuth", "PurserAPI", "PurserService", "PurserMetrics"],
            path: "Services/Settlement/Sources"),
        .executableTarget(
            name: "purser-settlement", dependencies: ["PurserSettlement", "PurserService", "PurserKit", "PurserRPC"],
            path: "Services/Settlement/Main"),
        .target(
            name: "PurserWallet",
            dependencies: [
                "PurserKit", "PurserPostgres", "PurserRPC", "PurserWire", "PurserAuth", "PurserAPI", "PurserService",
                "PurserPolicy", "PurserMetrics",
            ],
            path: "Services/Wallet/Sources"),
        .executableTarget(
            name: "purser-wallet", dependencies: ["PurserWallet", "PurserService", "PurserKit", "PurserRPC", "PurserAPI"],
            path: "Services/Wallet/Main"),
        .target(
            name: "PurserEmailService",
            dependencies: [
                "PurserEmail", "PurserKit", "PurserPostgres", "PurserRPC", "PurserWire", "PurserAuth", "PurserAPI",
                "PurserService", "COpenSSL", "CLinux",
            ],
            path: "Services/EmailAlias/Sources/PurserEmailService"),
        .executableTarget(
            name: "purser-email", dependencies: ["PurserEmailService", "PurserService", "PurserKit"],
            path: "Services/EmailAlias/Main"),

        // CLI
        .target(
            name: "PurserCLI", dependencies: ["PurserClient", "PurserAPI", "PurserRPC", "PurserKit", "PurserJSON"],
            path: "Services/CLI/Sources/PurserCLI"),
        .executableTarget(name: "purser", dependencies: ["PurserCLI"], path: "Services/CLI/Main"),

        // Tests
        .testTarget(name: "PurserKitTests", dependencies: ["PurserKit"]),
        .testTarget(name: "PurserMetricsTests", dependencies: ["PurserMetrics"]),
        .testTarget(name: "PurserBenchTests", dependencies: ["PurserBench"]),
        .testTarget(name: "PurserWireTests", dependencies: ["PurserWire", "PurserTestSupport"]),
        .testTarget(name: "PurserJSONTests", dependencies: ["PurserJSON"]),
        .testTarget(
            name: "PurserGatewayTests",
            dependencies: [
                "PurserGateway", "PurserJSON", "PurserWire", "PurserAPI", "PurserAuth", "PurserKit", "PurserRPC",
                "PurserTestSupport", "PurserServiceHarness",
            ]),
        .testTarget(name: "PurserAPITests", dependencies: ["PurserTestSupport"]),
        .testTarget(
            name: "PurserPostgresTests", dependencies: ["PurserPostgres", "PurserTestSupport"]),
        .testTarget(
            name: "PurserRPCTests",
            dependencies: ["PurserRPC", "PurserWire", "PurserTestSupport", "COpenSSL", "CLinux", "PurserMetrics"]),
        .testTarget(name: "PurserHTTPTests", dependencies: ["PurserHTTP", "PurserRPC", "PurserKit", "PurserTestSupport", "CLinux"]),
        .testTarget(name: "PurserAuthTests", dependencies: ["PurserAuth", "PurserTestSupport"]),
        .testTarget(
            name: "PurserServiceTests",
            dependencies: [
                "PurserService", "PurserAuth", "PurserRPC", "PurserAPI", "PurserKit", "PurserPostgres", "PurserTestSupport",
                "PurserHTTP", "CLinux",
            ]),
        .testTarget(
            name: "PurserIdentityTests",
            dependencies: [
                "PurserIdentity", "PurserService", "PurserAuth", "PurserRPC", "PurserAPI", "PurserWire", "PurserKit",
                "PurserPostgres", "PurserTestSupport", "PurserServiceHarness",
            ]),
        .testTarget(name: "PurserPolicyTests", dependencies: ["PurserPolicy", "PurserKit", "PurserTestSupport"]),
        .testTarget(name: "PurserEmailTests", dependencies: ["PurserEmail", "PurserTestSupport"]),
        .testTarget(
            name: "PurserSettlementTests",
            dependencies: [
                "PurserSettlement", "PurserWallet", "PurserService", "PurserAuth", "PurserRPC", "PurserAPI", "PurserWire", "PurserKit",
                "PurserPostgres", "PurserTestSupport", "PurserServiceHarness",
            ]),
        .testTarget(
            name: "PurserWalletTests",
            dependencies: [
                "PurserWallet", "PurserIdentity", "PurserService", "PurserAuth", "PurserRPC", "PurserAPI", "PurserWire",
                "PurserKit", "PurserPostgres", "PurserTestSupport", "PurserPolicyService", "PurserServiceHarness",
            ]),
        .testTarget(
            name: "PurserEmailServiceTests",
            dependencies: [
                "PurserEmailService", "PurserEmail", "PurserIdentity", "PurserService", "PurserAuth", "PurserRPC",
                "PurserAPI", "PurserKit", "PurserPostgres", "PurserTestSupport", "PurserServiceHarness",
            ]),
        .testTarget(
            name: "PurserPolicyServiceTests",
            dependencies: [
                "PurserPolicyService", "PurserPolicy", "PurserIdentity", "PurserService", "PurserAuth", "PurserRPC",
                "PurserAPI", "PurserWire", "PurserKit", "PurserPostgres", "PurserTestSupport", "PurserServiceHarness",
                "PurserWallet",
            ]),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "PurserRPC", "PurserWire", "PurserKit", "PurserAPI", "PurserAuth", "PurserService", "PurserPostgres",
                "PurserIdentity", "PurserWallet", "PurserTestSupport", "COpenSSL", "PurserServiceHarness", "PurserSettlement",
            ]),
        .testTarget(name: "CLITests", dependencies: ["PurserCLI", "PurserClient", "PurserJSON", "PurserKit", "PurserRPC", "PurserTestSupport"]),
        .testTarget(
            name: "SystemTests",
            dependencies: ["PurserTestSupport", "PurserClient", "PurserAPI", "PurserRPC", "PurserKit", "PurserPostgres",
                           "PurserGateway", "PurserHTTP", "PurserJSON"]),
        .testTarget(
            name: "PurserClientTests",
            dependencies: ["PurserClient", "PurserAPI", "PurserRPC", "PurserWire", "PurserKit", "PurserTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
