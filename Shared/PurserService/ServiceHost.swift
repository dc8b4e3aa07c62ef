import Foundation
import PurserAuth
import PurserHTTP
import PurserKit
import PurserMetrics
import PurserPostgres
import PurserRPC
import PurserWire
import Synchronization

/// Runs one Purser service: its PostgreSQL pool and migrations, its RPC server
/// (TLS 1.3; client certificates optional so both bearer-token and mTLS
/// callers are served), health (`NOT_SERVING` while draining, while
/// PostgreSQL is unreachable, and, for a service verifying tokens with
/// Identity's keys, until it holds them), token verification with keys and revocations
/// fed from Identity, background services, and a graceful drain on SIGTERM.
///
/// Use: `let host = try await ServiceHost(settings:…)`, register handlers with
/// `handle(_:allowing:_:)`, add background loops with `addBackground`, then
/// `try await host.run()` (or `start()`/`shutdown()` in tests).
///
/// Metrics: the pool, the RPC server and the process record into `metrics`;
/// services add their own series there. With `settings.metricsListen` set,
/// `start()` also serves them as `GET /metrics` on that address
/// (`MetricsListener`), apart from the RPC port.
///
/// Shutdown order: the RPC server drains first (stop accepting, GOAWAY,
/// finish in-flight calls), then background services stop in reverse order,
/// then the pool closes (it is the group's first member).
public final class ServiceHost: Sendable {
    /// Where the token verifier gets keys and revocations.
    public enum Authentication: Sendable {
        /// From Identity over mutual TLS (every service but Identity).
        case identityService
        /// From sources built on the host's pool (Identity itself, which owns the keys).
        case local(@Sendable (PostgresPool) -> (keys: any SigningKeySource, revocations: any RevocationFeed))
    }

    /// The common settings the host was built from.
    public let settings: ServiceSettings
    /// The service's logger; handlers get a copy with call metadata in their context.
    public let logger: Logger
    /// The service's PostgreSQL pool (its schema migrated).
    public let pool: PostgresPool
    /// Routes of the RPC server; prefer `handle(_:allowing:_:)`, which authenticates.
    public let router: RPCRouter
    /// Verifies bearer tokens with keys and revocations from `Authentication`.
    public let verifier: TokenVerifier
    /// Maps each call to its `Principal`.
    public let authenticator: RequestAuthenticator
    /// The process's metrics (served at `settings.metricsListen` when set).
    public let metrics: MetricsRegistry
    /// The connection to Identity, when `authentication` is `.identityService`.
    public let identity: IdentityConnection?
    private let server: RPCServer
    private let revocationFeed: any RevocationFeed
    private let state = Mutex<State>(State())

    private struct State: Sendable {
        var background: [ServiceGroup.Entry] = []
        var group: ServiceGroup?
        var metricsPort: Int?
        var task: Task<Void, any Error>?
    }

    /// Opens the pool, applies `migrations` to the schema named after the
    /// service, and prepares (without starting) the RPC server and verifier.
    public init(
        settings: ServiceSettings, migrations: [Migration], authentication: Authentication, logger: Logger
    ) async throws {
        self.settings = settings
        self.logger = logger
        let metrics = MetricsRegistry()
        self.metrics = metrics
        ProcessMetrics.register(in: metrics)
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: settings.databaseURL, size: settings.databasePoolSize, applicationName: "purser-\(settings.name)",
                connectTimeout: settings.databaseConnectTimeout),
            logger: logger, registry: metrics)
        self.pool = pool
        do {
            try await Migrator(schema: settings.name, migrations: migrations).run(on: pool, logger: logger)
        } catch {
            await pool.close()
            throw error
        }
        let keys: any SigningKeySource
        switch authentication {
        case .identityService:
            guard let endpoint = settings.identityEndpoint else {
                await pool.close()
                throw SettingError.missingIdentityEndpoint(service: settings.name)
            }
            let connection: IdentityConnection
            do {
                connection = IdentityConnection(client: try settings.peerClient("identity", at: endpoint, logger: logger))
            } catch {
                await pool.close()
                throw error
            }
            self.identity = connection
            keys = connection
            self.revocationFeed = connection
        case .local(let make):
            let sources = make(pool)
            self.identity = nil
            keys = sources.keys
            self.revocationFeed = sources.revocations
        }
        let refresh = Int64(settings.signingKeyRefreshInterval.components.seconds)
        // A one-second cooldown on unknown-kid refreshes: a rotated key is
        // picked up within a second, yet garbage kids cost Identity at most one
        // GetSigningKeys per second per replica.
        self.verifier = TokenVerifier(
            configuration: TokenVerifier.Configuration(
                issuer: settings.tokenIssuer, audience: settings.tokenAudience,
                keyRefreshIntervalSeconds: max(1, refresh), refreshCooldownSeconds: 1),
            keySource: keys)
        self.authenticator = RequestAuthenticator(verifier: verifier, servicePeers: settings.servicePeers)
        self.router = RPCRouter()
        let tls = TLSConfiguration.server(
            certificatePath: settings.tlsCertificatePath, privateKeyPath: settings.tlsPrivateKeyPath,
            trustRootsPath: settings.tlsCAPath, clientCertificate: .optional)
        // A service that takes its keys from Identity can verify no token, so serve
        // no caller, until it holds them: each health check asks for them while missing.
        let verifier = self.verifier
        let needsIdentityKeys = identity != nil
        self.server = RPCServer(
            configuration: ServerConfiguration(host: settings.listen.host, port: settings.listen.port, tls: tls),
            router: router, logger: logger,
            healthCheck: {
                if needsIdentityKeys, await !verifier.loadKeysIfMissing() { return false }
                return await pool.isHealthy(timeout: .seconds(2))
            },
            metrics: metrics)
    }

    /// Adds a loop that runs while the host runs (started after the revocation
    /// poller, stopped before it). Call before `start()`.
    public func addBackground(_ name: String, _ service: any Service) {
        state.withLock { $0.background.append(ServiceGroup.Entry(name, service)) }
    }

    /// Binds the RPC listener (and the metrics listener when configured),
    /// starts the revocation poller and the background services, and returns
    /// the bound RPC port (useful with port 0). `signals` start a graceful
    /// shutdown (none by default, for tests).
    @discardableResult
    public func start(signals: [Int32] = []) throws -> Int {
        let port = try server.start()
        var metricsEntry: [ServiceGroup.Entry] = []
        var metricsPort: Int?
        if let listen = settings.metricsListen {
            let listener: MetricsListener
            do {
                listener = try MetricsListener.start(host: listen.host, port: listen.port, registry: metrics, logger: logger)
            } catch {
                let server = self.server
                Task { await server.shutdown(gracePeriod: .zero) }
                throw error
            }
            metricsPort = listener.port
            metricsEntry = [ServiceGroup.Entry("metrics", listener)]
        }
        let poller = RevocationPoller(
            feed: revocationFeed, verifier: verifier, interval: settings.revocationPollInterval,
            logger: logger.with(["component": "revocations"]))
        let server = self.server, grace = settings.drainTimeout, pool = self.pool
        state.withLock { state in
            state.metricsPort = metricsPort
            let entries = [ServiceGroup.Entry("postgres", pool)] + metricsEntry + [ServiceGroup.Entry("revocations", poller)] + state.background
                + [ServiceGroup.Entry("rpc", ServerDrain(server: server, grace: grace))]
            let group = ServiceGroup(
                services: entries, signals: signals, gracefulShutdownTimeout: grace + .seconds(5), logger: logger)
            state.group = group
            state.task = Task { try await group.run() }
        }
        var fields = ["service": settings.name, "port": "\(port)"]
        if let metricsPort { fields["metrics_port"] = "\(metricsPort)" }
        logger.notice("service started", fields)
        return port
    }

    /// The port `GET /metrics` is served on, once started with `settings.metricsListen` set.
    public var metricsPort: Int? { state.withLock { $0.metricsPort } }

    /// Waits until the host has stopped (after a signal or `shutdown()`); the
    /// pool, first in the group, closes last.
    public func wait() async throws {
        guard let task = state.withLock({ $0.task }) else { return }
        try await task.value
    }

    /// Starts the graceful shutdown and waits for it.
    public func shutdown() async throws {
        guard let (group, task) = state.withLock({ state in state.group.map { ($0, state.task) } }) else {
            await pool.close()
            return
        }
        group.triggerGracefulShutdown()
        try await task?.value
    }

    /// The connection to Identity; throws `SettingError` naming
    /// `PURSER_<SERVICE>_IDENTITY_ENDPOINT` when the host has none (its
    /// authentication is `.local`).
    public func requireIdentity() throws(SettingError) -> IdentityConnection {
        guard let identity else { throw SettingError.missingIdentityEndpoint(service: settings.name) }
        return identity
    }

    /// Runs until SIGTERM or SIGINT, then drains: the whole life of a service process.
    public func run() async throws {
        try start(signals: [SIGTERM, SIGINT])
        try await wait()
    }

    /// Registers `method` with who may call it, the one place a service says
    /// so: the caller is authenticated before the request is decoded and must
    /// be one of `kinds`; when `services` is not empty, a service caller must
    /// moreover be one of the services it names ("only service X may call
    /// this"). Anyone else gets PERMISSION_DENIED `permission_denied`. Then
    /// `body` runs. An undecodable request is INVALID_ARGUMENT
    /// `malformed_request`; errors are mapped once, by `RPCError.mapping`.
    public func handle<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor<Request, Response>, allowing kinds: Set<Principal.Kind>, services: Set<String> = [],
        _ body: @escaping @Sendable (Request, Principal, ServerContext) async throws -> Response
    ) {
        let authenticator = self.authenticator
        router.register(method.fullName) { bytes, context in
            let principal = try await authenticator.principal(for: context, allowing: kinds, services: services)
            let request = try method.decodeRequest(bytes)
            return try await ServiceHost.mapErrors { try await body(request, principal, context).serializedBytes() }
        }
    }

    /// Registers `method` without authentication (the request carries its own
    /// credential, or the answer is public).
    public func handleUnauthenticated<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor<Request, Response>,
        _ body: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        router.register(method.fullName) { bytes, context in
            let request = try method.decodeRequest(bytes)
            return try await ServiceHost.mapErrors { try await body(request, context).serializedBytes() }
        }
    }

    /// Answers every failure of `body` with the status `RPCError.mapping` gives
    /// it: the one place a handler's error becomes a wire status.
    static func mapErrors(_ body: () async throws -> [UInt8]) async throws -> [UInt8] {
        do {
            return try await body()
        } catch {
            throw RPCError.mapping(error) ?? error
        }
    }
}

/// The RPC server as a group member: serves until cancelled, then drains.
struct ServerDrain: Service {
    let server: RPCServer
    let grace: Duration

    func run() async throws {
        await untilCancelled()
        await server.shutdown(gracePeriod: grace)
    }
}
