import PurserKit
import PurserRPC

extension ServiceSettings {
    /// TLS for calling peers: verifies them against the deployment CA and
    /// presents this service's certificate (mutual TLS).
    public var clientTLS: TLSConfiguration {
        .client(trustRootsPath: tlsCAPath, certificatePath: tlsCertificatePath, privateKeyPath: tlsPrivateKeyPath)
    }

    /// A client for peer service `name` at `endpoint` over `clientTLS`,
    /// checking the peer's certificate against the endpoint's host and that it
    /// names `name` (its CN), so a server holding another service's certificate
    /// is refused (`UNAVAILABLE` / `wrong_peer`); its log lines carry `peer=<name>`.
    public func peerClient(_ name: String, at endpoint: Endpoint, logger: Logger) throws(RPCError) -> RPCClient {
        try RPCClient(
            configuration: ClientConfiguration(
                host: endpoint.host, port: endpoint.port, serverName: endpoint.host, expectedPeer: name, tls: clientTLS),
            logger: logger.with(["peer": name]))
    }
}

extension SettingError {
    /// Service `service` needs Identity but has no `IDENTITY_ENDPOINT`.
    static func missingIdentityEndpoint(service: String) -> SettingError {
        SettingError(
            variable: "PURSER_\(service.uppercased())_IDENTITY_ENDPOINT", value: "", expected: "host:port of Identity")
    }
}
