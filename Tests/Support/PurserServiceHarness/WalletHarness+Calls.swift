import PurserAPI
import PurserRPC
import PurserWire

extension WalletHarness {
    /// Calls a Wallet method as the holder of `token` (or as the service `service` over mutual TLS).
    package func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil, service: String? = nil,
        key: String? = nil, metadata extra: Metadata = [:]
    ) async throws(RPCError) -> Response {
        var metadata = extra
        if let token { metadata["authorization"] = "Bearer \(token)" }
        if let key { metadata["idempotency-key"] = key }
        let client = service.flatMap { services[$0] } ?? anonymous
        return try await client.call(method, request, metadata: metadata, timeout: .seconds(20))
    }

    /// Calls an Identity method with `token`.
    package func identity<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil
    ) async throws(RPCError) -> Response {
        try await identityClient.call(method, request, metadata: Self.bearer(token), timeout: .seconds(20))
    }

    /// Calls a Settlement method with `token`; FAILED_PRECONDITION
    /// (`settlement_not_started`) when the harness runs no Settlement.
    package func settlement<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, token: String? = nil
    ) async throws(RPCError) -> Response {
        guard let settlementClient else {
            throw RPCError(.failedPrecondition, "the harness was started without Settlement", reason: "settlement_not_started")
        }
        return try await settlementClient.call(method, request, metadata: Self.bearer(token), timeout: .seconds(60))
    }

    /// Sets the tenant-wide spending policy of `world` (as its admin).
    package func setTenantPolicy(_ world: World, _ documentJSON: String) async throws {
        _ = try await policyClient.call(
            PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: world.tenantID, documentJSON: documentJSON),
            metadata: Self.bearer(world.adminToken), timeout: .seconds(20))
    }

    /// Sets the spending policy override of the world's first agent (as its admin).
    package func setAgentPolicy(_ world: World, _ documentJSON: String) async throws {
        _ = try await policyClient.call(
            PolicyMethods.setAgentPolicy,
            SetAgentPolicyRequest(tenantID: world.tenantID, agentID: world.agentID, documentJSON: documentJSON),
            metadata: Self.bearer(world.adminToken), timeout: .seconds(20))
    }

    /// Exchanges a secret for a token.
    package func token(_ secret: String) async throws -> String {
        try await identity(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: "")).token
    }

    static func bearer(_ token: String?) -> Metadata {
        token.map { ["authorization": "Bearer \($0)"] } ?? [:]
    }
}
