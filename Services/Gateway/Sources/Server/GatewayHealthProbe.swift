import PurserHTTP
import PurserRPC

/// `purser-gateway --health-check`: the running gateway answers `GET /healthz` with 200.
package enum GatewayHealthProbe {
    /// Whether the gateway at `settings.listen` (asked on loopback when it
    /// listens on every address) answers 200, within five seconds.
    package static func check(_ settings: GatewaySettings) async -> Bool {
        let host = settings.listen.host == "0.0.0.0" || settings.listen.host == "::" ? "127.0.0.1" : settings.listen.host
        do {
            let client = try HTTPClient(configuration: HTTPClientConfiguration(
                host: host, port: settings.listen.port,
                tls: settings.plaintext ? nil : .client(trustRootsPath: settings.tlsCAPath),
                serverName: settings.plaintext ? nil : "gateway", allowTLS12: settings.allowTLS12, requestTimeout: .seconds(5)))
            defer { client.shutdown() }
            return try await client.execute(HTTPClientRequest(target: "/healthz")).status.code == 200
        } catch {
            return false
        }
    }
}
