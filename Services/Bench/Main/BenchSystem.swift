import Foundation
import PurserAPI
import PurserPostgres
import PurserAuth
import PurserIdentity
import PurserKit
import PurserPolicyService
import PurserRPC
import PurserService
import PurserWallet

/// Identity, Policy and the Wallet over one PostgreSQL database (each in its
/// own schema), the Wallet checking every authorization against Policy over
/// mutual TLS, plus an RPC client per service. They run either in this process
/// on ephemeral TLS ports (`oneProcess`: for finding where time goes) or as
/// the three release executables in child processes (`separateProcesses`: the
/// topology `deploy/dev up` and docker compose deploy).
final class BenchSystem: Sendable {
    enum Topology: String, Sendable {
        case oneProcess = "one process"
        case separateProcesses = "separate processes"
    }

    private enum Runtime: Sendable {
        case inProcess(identity: ServiceHost, policy: ServiceHost, wallet: ServiceHost, walletService: WalletService)
        case processes(BenchProcesses)
    }

    let topology: Topology
    private let runtime: Runtime
    let walletPort: Int
    let identityPort: Int
    let policyPort: Int
    let certificates: String
    let logger: Logger
    /// Calls Identity with bearer tokens.
    let identity: RPCClient
    /// Calls Policy with bearer tokens.
    let policy: RPCClient
    /// Calls the Wallet with bearer tokens, over `connections` connections.
    let wallet: RPCClient

    /// The three executables as child processes, logging to `logs`.
    convenience init(
        processesWith certificates: String, databaseURL: String, walletPoolSize: Int, clientConnections: Int, logs: String
    ) async throws {
        let logger = Logger(label: "bench", level: .error)
        let processes = try await BenchProcesses(
            certificates: certificates, databaseURL: databaseURL, walletPoolSize: walletPoolSize, logs: logs, logger: logger)
        try self.init(
            topology: .separateProcesses, runtime: .processes(processes), identityPort: processes.identityPort,
            policyPort: processes.policyPort, walletPort: processes.walletPort, certificates: certificates,
            clientConnections: clientConnections, logger: logger)
    }

    /// The clients of the services `runtime` serves on the ports given.
    private init(
        topology: Topology, runtime: Runtime, identityPort: Int, policyPort: Int, walletPort: Int, certificates: String,
        clientConnections: Int, logger: Logger
    ) throws {
        self.topology = topology
        self.runtime = runtime
        self.identityPort = identityPort
        self.policyPort = policyPort
        self.walletPort = walletPort
        self.certificates = certificates
        self.logger = logger
        identity = try Self.client(port: identityPort, certificates: certificates, certificate: nil, connections: 1, logger: logger)
        policy = try Self.client(port: policyPort, certificates: certificates, certificate: nil, connections: 1, logger: logger)
        wallet = try Self.client(
            port: walletPort, certificates: certificates, certificate: nil, connections: clientConnections, logger: logger)
    }

    /// Group-committed transactions and the authorizations they decided so
    /// far (nil when the Wallet's process does not tell).
    func groupCommitStatistics() async -> (batches: Int, requests: Int)? {
        switch runtime {
        case .inProcess(_, _, _, let walletService):
            let statistics = walletService.coalescer.statistics
            return (statistics.batches, statistics.requests)
        case .processes(let processes):
            return await processes.groupCommitStatistics()
        }
    }

    /// Feed entries Settlement has stored so far, when it runs as its own
    /// process (the bench runs no Settlement in its own process).
    func settlementEntriesStored() async -> Int? {
        guard case .processes(let processes) = runtime else { return nil }
        return await processes.settlementEntriesStored()
    }

    /// The Wallet service, when it runs in this process.
    var walletService: WalletService? {
        if case .inProcess(_, _, _, let service) = runtime { return service }
        return nil
    }

    /// The Wallet's database pool, when the Wallet runs in this process.
    var walletPool: PostgresPool? {
        if case .inProcess(_, _, let wallet, _) = runtime { return wallet.pool }
        return nil
    }

    /// The resident set of the process serving the Wallet, in KiB.
    var walletResidentKiB: Int {
        switch runtime {
        case .inProcess: residentKiB()
        case .processes(let processes): processes.walletResidentKiB
        }
    }

    /// The three services in this process.
    convenience init(certificates: String, databaseURL: String, walletPoolSize: Int, clientConnections: Int) async throws {
        let logger = Logger(label: "bench", level: .error)
        let ca = "\(certificates)/ca.pem"
        let walletPort = try freePort()
        let identitySettings = ServiceSettings(
            name: "identity", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: "\(certificates)/identity.pem", tlsPrivateKeyPath: "\(certificates)/identity.key",
            tlsCAPath: ca, databaseURL: databaseURL, databasePoolSize: 4, logLevel: .error, identityEndpoint: nil)
        let identitySettingsOfService = IdentitySettings(
            keyEncryptionKey: try KeyEncryptionKey.generate(), tokenLifetime: .seconds(3_600),
            revocationSubscribers: [
                RevocationSubscriber(
                    name: "wallet", endpoint: Endpoint(host: "127.0.0.1", port: walletPort),
                    method: WalletMethods.freezeAccount.fullName)
            ],
            retrySchedule: RetrySchedule(initial: .milliseconds(100), maximum: .seconds(1)),
            dispatchInterval: .milliseconds(200), deliveryTimeout: .seconds(5),
            // The webhooks bench's receiver listens on loopback.
            webhooks: WebhookSettings(allowPrivate: true))
        let identityHost = try await ServiceHost(
            settings: identitySettings, migrations: IdentityMigrations.all,
            authentication: IdentityService.localAuthentication(settings: identitySettingsOfService), logger: logger)
        let identityService = try IdentityService(
            host: identityHost, settings: identitySettingsOfService,
            clientTLS: .client(
                trustRootsPath: ca, certificatePath: identitySettings.tlsCertificatePath,
                privateKeyPath: identitySettings.tlsPrivateKeyPath))
        try await identityService.prepareSigningKey()
        let identityPort = try identityHost.start()

        let policySettings = ServiceSettings(
            name: "policy", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: "\(certificates)/policy.pem", tlsPrivateKeyPath: "\(certificates)/policy.key",
            tlsCAPath: ca, databaseURL: databaseURL, databasePoolSize: 2, logLevel: .error,
            identityEndpoint: Endpoint(host: "127.0.0.1", port: identityPort))
        let policyHost = try await ServiceHost(
            settings: policySettings, migrations: PolicyMigrations.all, authentication: .identityService, logger: logger)
        _ = PolicyService(
            host: policyHost, directory: TenantDirectory(client: try policyHost.requireIdentity().client, ttl: .seconds(60)),
            wallet: WalletLink(
                client: try policySettings.peerClient("wallet", at: Endpoint(host: "127.0.0.1", port: walletPort), logger: logger)))
        let policyPort = try policyHost.start()

        let walletSettings = ServiceSettings(
            name: "wallet", listen: Endpoint(host: "127.0.0.1", port: walletPort),
            tlsCertificatePath: "\(certificates)/wallet.pem", tlsPrivateKeyPath: "\(certificates)/wallet.key",
            tlsCAPath: ca, databaseURL: databaseURL, databasePoolSize: walletPoolSize, logLevel: .error,
            identityEndpoint: Endpoint(host: "127.0.0.1", port: identityPort))
        let walletHost = try await ServiceHost(
            settings: walletSettings, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
        guard let connection = walletHost.identity else { throw RPCError(.internal, "the wallet host has no Identity connection") }
        let settings = WalletSettings()
        let policyClient = try walletSettings.peerClient(
            "policy", at: Endpoint(host: "127.0.0.1", port: policyPort), logger: logger)
        let walletService = WalletService(
            host: walletHost, settings: settings, directory: IdentityDirectory(client: connection.client, ttl: settings.directoryTTL),
            policy: PolicyClient(client: policyClient, ttl: settings.policyCacheTTL))
        _ = try walletHost.start()

        try self.init(
            topology: .oneProcess,
            runtime: .inProcess(identity: identityHost, policy: policyHost, wallet: walletHost, walletService: walletService),
            identityPort: identityPort, policyPort: policyPort, walletPort: walletPort, certificates: certificates,
            clientConnections: clientConnections, logger: logger)
    }

    static func client(
        port: Int, certificates: String, certificate: String?, connections: Int, logger: Logger
    ) throws -> RPCClient {
        let tls = TLSConfiguration.client(
            trustRootsPath: "\(certificates)/ca.pem", certificatePath: certificate.map { "\(certificates)/\($0).pem" },
            privateKeyPath: certificate.map { "\(certificates)/\($0).key" })
        return try RPCClient(
            configuration: ClientConfiguration(
                host: "127.0.0.1", port: port, serverName: "localhost", tls: tls, connections: connections, maximumAttempts: 1),
            logger: logger)
    }

    func stop() async {
        identity.close()
        policy.close()
        wallet.close()
        switch runtime {
        case .inProcess(let identityHost, let policyHost, let walletHost, _):
            try? await walletHost.shutdown()
            try? await policyHost.shutdown()
            try? await identityHost.shutdown()
        case .processes(let processes):
            processes.stop()
        }
    }

    func callIdentity<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil
    ) async throws(RPCError) -> Response {
        var metadata: Metadata = [:]
        if let token { metadata["authorization"] = "Bearer \(token)" }
        return try await identity.call(method, request, metadata: metadata, timeout: .seconds(30))
    }

    func callPolicy<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String
    ) async throws(RPCError) -> Response {
        try await policy.call(method, request, metadata: ["authorization": "Bearer \(token)"], timeout: .seconds(30))
    }

    func callWallet<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String
    ) async throws(RPCError) -> Response {
        let metadata: Metadata = ["authorization": "Bearer \(token)", "idempotency-key": UUID().uuidString]
        return try await wallet.call(method, request, metadata: metadata, timeout: .seconds(30))
    }

    func token(_ secret: String) async throws(RPCError) -> String {
        try await callIdentity(IdentityMethods.authenticate, AuthenticateRequest(secret: secret)).token
    }
}

/// A port that was free a moment ago (the Wallet's, which Identity must know before it starts).
/// (The bench links no test support, so it keeps its own copy of `TestRPC.freePort`'s probe.)
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw RPCError(.internal, "socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw RPCError(.internal, "bind failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
