import PurserKit
import PurserRPC

/// A one-shot `Health/Check` against a running service, for `--health-check`
/// (deploy scripts and container health checks).
public enum HealthProbe {
    /// True when the service at `settings.listen` (a wildcard host is probed on
    /// 127.0.0.1) answers SERVING over TLS within `timeout`, presenting the
    /// service's own certificate.
    public static func check(_ settings: ServiceSettings, timeout: Duration = .seconds(3), logger: Logger) async -> Bool {
        let host = ["0.0.0.0", "::", ""].contains(settings.listen.host) ? "127.0.0.1" : settings.listen.host
        do {
            let client = try RPCClient(
                configuration: ClientConfiguration(
                    host: host, port: settings.listen.port, expectedPeer: settings.name, tls: settings.clientTLS,
                    maximumAttempts: 1),
                logger: logger)
            defer { client.close() }
            let response = try await client.call(Health.check, HealthCheckRequest(), timeout: timeout)
            return response.status == .serving
        } catch {
            logger.warning("health check failed", ["error": "\(error)"])
            return false
        }
    }
}
