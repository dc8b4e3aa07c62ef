import PurserKit
import PurserRPC

/// Where the gateway sends `purser/1` calls: one `RPCClient` per service,
/// each verifying that the server certificate names that service.
package final class RPCUpstream: Sendable {
    private let clients: [String: RPCClient]
    /// Deadline of every call.
    private let timeout: Duration

    /// Clients to `endpoints` (service name → endpoint) with `tls` (the
    /// deployment CA; no client certificate is needed: callers are
    /// authorised by their bearer tokens, never by the gateway's identity).
    package init(endpoints: [String: Endpoint], tls: TLSConfiguration, connections: Int = 2, timeout: Duration = .seconds(30),
                 logger: Logger) throws(RPCError) {
        var clients: [String: RPCClient] = [:]
        for (service, endpoint) in endpoints {
            clients[service] = try RPCClient(
                configuration: ClientConfiguration(host: endpoint.host, port: endpoint.port, expectedPeer: service, tls: tls, connections: connections),
                logger: logger)
        }
        self.clients = clients
        self.timeout = timeout
    }

    /// The services it reaches, for `/healthz`.
    package var serviceNames: [String] { clients.keys.sorted() }

    /// Calls `method` (full name) on `service` with the encoded request.
    package func call(
        service: String, method: String, request: [UInt8], metadata: Metadata, idempotent: Bool
    ) async throws(RPCError) -> RPCResponse {
        guard let client = clients[service] else {
            throw RPCError(.unavailable, "the gateway has no endpoint for \(service)", reason: "service_not_configured")
        }
        return try await client.call(method, request, metadata: metadata, timeout: timeout, idempotent: idempotent)
    }

    /// Closes every client.
    package func close() {
        for client in clients.values { client.close() }
    }
}
