import PurserRPC

/// How a `PurserClient` reaches the services: one endpoint per service, the
/// deployment CA, an optional client certificate (mutual TLS, for bootstrap and
/// service-to-service calls), a per-call timeout and the retry policy.
public struct PurserClientConfiguration: Sendable {
    /// Endpoints by service; a service not listed uses `ServiceName.defaultEndpoint`.
    public var endpoints: [ServiceName: Endpoint]
    /// PEM file of the CA that signed the services' certificates.
    public var trustRootsPath: String
    /// PEM certificate presented for mutual TLS, if any.
    public var certificatePath: String?
    /// Private key of `certificatePath`.
    public var privateKeyPath: String?
    /// Longest a single call may take, retries included.
    public var timeout: Duration
    public var retry: RetryPolicy
    /// Whether each service's certificate must name the service (CN `identity`,
    /// `wallet`, …, as `deploy/certs.sh` issues them), whatever host it is
    /// reached by. Turn off only for endpoints behind something presenting a
    /// certificate of its own, or a single server standing in for several services.
    public var verifiesServiceNames: Bool

    /// A configuration; services not in `endpoints` use their default endpoint.
    public init(
        endpoints: [ServiceName: Endpoint] = [:], trustRootsPath: String, certificatePath: String? = nil,
        privateKeyPath: String? = nil, timeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(),
        verifiesServiceNames: Bool = true
    ) {
        self.verifiesServiceNames = verifiesServiceNames
        self.endpoints = endpoints
        self.trustRootsPath = trustRootsPath
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.timeout = timeout
        self.retry = retry
    }

    /// The endpoint of `service`.
    public func endpoint(_ service: ServiceName) -> Endpoint {
        endpoints[service] ?? service.defaultEndpoint
    }
}
