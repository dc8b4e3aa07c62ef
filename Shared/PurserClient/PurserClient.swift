import PurserAPI
import PurserKit
import PurserRPC
import Synchronization

/// Typed access to every Purser service with one set of credentials.
///
/// Connections are opened lazily, one `RPCClient` per service actually used,
/// and shared by every call. With `.secret` credentials the client
/// authenticates at Identity on first use and keeps the token fresh; calls
/// made concurrently share it. `close()` releases every connection.
public final class PurserClient: Sendable {
    public let configuration: PurserClientConfiguration
    public let credentials: Credentials
    private let logger: Logger
    private let clients = Mutex<[ServiceName: RPCClient]>([:])
    private let tokens: TokenSource?
    private let counters = CallCounters()
    /// Transport counters of the connections `close()` released.
    private let closedTransport = Mutex(RPCClient.Statistics())

    /// What the client did with its calls since it was made (see `Statistics`).
    public struct Statistics: Sendable, Equatable {
        /// Logical calls made (each `ServiceChannel.call`, token exchanges included).
        public var calls = 0
        /// Requests sent or connections tried for them, over every service.
        public var attempts = 0
        /// Attempts repeated because the server provably never took the previous one
        /// (not a failure: the caller never sees it).
        public var transparentRetries = 0
        /// Attempts repeated by the transport after a connection broke with the call in
        /// flight; only calls that are safe to repeat (read-only, or carrying an `idempotency-key`).
        public var idempotentRetries = 0
        /// Logical calls repeated under `RetryPolicy` after an `UNAVAILABLE` or `ABORTED` answer.
        public var policyRetries = 0
        /// Logical calls that ended with an error thrown to the caller.
        public var failures = 0

        public init() {}
    }

    /// The counters so far.
    public var statistics: Statistics {
        var transport = closedTransport.withLock { $0 }
        for client in clients.withLock({ Array($0.values) }) {
            let live = client.statistics
            transport.attempts += live.attempts
            transport.transparentRetries += live.transparentRetries
            transport.idempotentRetries += live.idempotentRetries
        }
        var statistics = Statistics()
        statistics.calls = counters.calls.load(ordering: .relaxed)
        statistics.attempts = transport.attempts
        statistics.transparentRetries = transport.transparentRetries
        statistics.idempotentRetries = transport.idempotentRetries
        statistics.policyRetries = counters.policyRetries.load(ordering: .relaxed)
        statistics.failures = counters.failures.load(ordering: .relaxed)
        return statistics
    }

    /// A client; nothing connects until the first call.
    public init(configuration: PurserClientConfiguration, credentials: Credentials, logger: Logger) {
        self.configuration = configuration
        self.credentials = credentials
        self.logger = logger
        let tokens: TokenSource?
        if case .secret(let secret) = credentials {
            let box = WeakClientBox()
            tokens = TokenSource(secret: secret) { secret throws(PurserClientError) in
                guard let client = box.client.withLock({ $0.client }) else {
                    throw PurserClientError(code: .unavailable, message: "client is closed", reason: "client_closed")
                }
                let identity = try client.rpcClient(.identity)
                let anonymous = ServiceChannel(service: .identity, rpc: identity, tokens: nil, staticToken: nil,
                                               retry: client.configuration.retry, timeout: client.configuration.timeout,
                                               counters: client.counters)
                return try await anonymous.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret),
                                                idempotencyKey: nil)
            }
            self.tokens = tokens
            box.client.withLock { $0.client = self }
        } else {
            self.tokens = nil
        }
    }

    deinit { close() }

    /// The session behind `.secret` credentials (authenticating if needed);
    /// `nil` for other credentials.
    public func session() async throws(PurserClientError) -> Session? {
        guard let tokens else { return nil }
        return try await tokens.session()
    }

    /// A channel to `service` with this client's credentials.
    public func channel(_ service: ServiceName) throws(PurserClientError) -> ServiceChannel {
        let staticToken: String?
        if case .token(let token) = credentials { staticToken = token } else { staticToken = nil }
        return ServiceChannel(service: service, rpc: try rpcClient(service), tokens: tokens, staticToken: staticToken,
                              retry: configuration.retry, timeout: configuration.timeout, counters: counters)
    }

    /// `Health/Check` of `service`, without credentials; one attempt, so a
    /// service that is down answers promptly.
    public func health(_ service: ServiceName) async throws(PurserClientError) -> ServingStatus {
        let channel = ServiceChannel(service: service, rpc: try rpcClient(service), tokens: nil, staticToken: nil,
                                     retry: .none, timeout: configuration.timeout, counters: counters)
        return try await channel.call(Health.check, HealthCheckRequest()).status
    }

    /// Closes every connection; calls in flight fail with `UNAVAILABLE`.
    public func close() {
        let open = clients.withLock { clients -> [RPCClient] in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in open {
            client.close()
            let final = client.statistics
            closedTransport.withLock {
                $0.attempts += final.attempts
                $0.transparentRetries += final.transparentRetries
                $0.idempotentRetries += final.idempotentRetries
            }
        }
    }

    func rpcClient(_ service: ServiceName) throws(PurserClientError) -> RPCClient {
        let result = clients.withLock { clients -> Result<RPCClient, PurserClientError> in
            if let existing = clients[service] { return .success(existing) }
            let endpoint = configuration.endpoint(service)
            let rpcConfiguration = ClientConfiguration(
                host: endpoint.host, port: endpoint.port,
                expectedPeer: configuration.verifiesServiceNames ? service.rawValue : nil,
                tls: .client(trustRootsPath: configuration.trustRootsPath, certificatePath: configuration.certificatePath,
                             privateKeyPath: configuration.privateKeyPath))
            do throws(RPCError) {
                let client = try RPCClient(configuration: rpcConfiguration, logger: logger.with(["service": service.rawValue]))
                clients[service] = client
                return .success(client)
            } catch {
                return .failure(PurserClientError(error))
            }
        }
        return try result.get()
    }
}

/// Lets the token exchange reach the client that owns it without a reference cycle.
private final class WeakClientBox: Sendable {
    struct Reference { weak var client: PurserClient? }
    let client = Mutex(Reference())
}
