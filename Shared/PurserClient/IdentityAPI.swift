import PurserAPI

/// Typed calls to `purser.identity.v1.Identity`. Who may call what is decided
/// by the service; mutating calls carry an idempotency key (pass one to make
/// a retry across processes safe).
public struct IdentityAPI: Sendable {
    public let channel: ServiceChannel

    public init(channel: ServiceChannel) { self.channel = channel }

    /// Creates the first operator key; needs a client certificate and works once per deployment.
    public func bootstrap(label: String) async throws(PurserClientError) -> BootstrapResponse {
        try await channel.call(IdentityMethods.bootstrap, BootstrapRequest(label: label))
    }

    public func authenticate(secret: String, audience: String = "") async throws(PurserClientError) -> AuthenticateResponse {
        try await channel.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: audience))
    }

    public func createTenant(_ request: CreateTenantRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> Tenant {
        try await channel.call(IdentityMethods.createTenant, request, idempotencyKey: idempotencyKey)
    }

    public func getTenant(id: String) async throws(PurserClientError) -> Tenant {
        try await channel.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: id))
    }

    public func listTenants(pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListTenantsResponse {
        try await channel.call(IdentityMethods.listTenants, ListTenantsRequest(pageSize: pageSize, pageToken: pageToken))
    }

    public func createApiKey(_ request: CreateApiKeyRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CreateApiKeyResponse {
        try await channel.call(IdentityMethods.createApiKey, request, idempotencyKey: idempotencyKey)
    }

    public func listApiKeys(tenantID: String, pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListApiKeysResponse {
        try await channel.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: tenantID, pageSize: pageSize, pageToken: pageToken))
    }

    public func revokeApiKey(tenantID: String, keyID: String) async throws(PurserClientError) -> ApiKey {
        try await channel.call(IdentityMethods.revokeApiKey, RevokeApiKeyRequest(tenantID: tenantID, keyID: keyID))
    }

    public func createAgent(_ request: CreateAgentRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CreateAgentResponse {
        try await channel.call(IdentityMethods.createAgent, request, idempotencyKey: idempotencyKey)
    }

    public func getAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    public func listAgents(_ request: ListAgentsRequest) async throws(PurserClientError) -> ListAgentsResponse {
        try await channel.call(IdentityMethods.listAgents, request)
    }

    public func rotateAgentSecret(_ request: RotateAgentSecretRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateAgentSecretResponse {
        try await channel.call(IdentityMethods.rotateAgentSecret, request, idempotencyKey: idempotencyKey)
    }

    public func suspendAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    public func resumeAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.resumeAgent, ResumeAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    /// Revokes the agent; returns once Wallet and Email-alias acknowledged (or lists them as pending).
    public func revokeAgent(tenantID: String, agentID: String, reason: String) async throws(PurserClientError) -> RevokeAgentResponse {
        try await channel.call(IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: tenantID, agentID: agentID, reason: reason))
    }

    public func registerProvider(_ request: RegisterProviderRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RegisterProviderResponse {
        try await channel.call(IdentityMethods.registerProvider, request, idempotencyKey: idempotencyKey)
    }

    public func getProvider(id: String) async throws(PurserClientError) -> Provider {
        try await channel.call(IdentityMethods.getProvider, GetProviderRequest(providerID: id))
    }

    public func listProviders(pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListProvidersResponse {
        try await channel.call(IdentityMethods.listProviders, ListProvidersRequest(pageSize: pageSize, pageToken: pageToken))
    }

    public func rotateProviderSecret(_ request: RotateProviderSecretRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateProviderSecretResponse {
        try await channel.call(IdentityMethods.rotateProviderSecret, request, idempotencyKey: idempotencyKey)
    }

    public func signingKeys() async throws(PurserClientError) -> GetSigningKeysResponse {
        try await channel.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest())
    }

    public func rotateSigningKey(idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateSigningKeyResponse {
        try await channel.call(IdentityMethods.rotateSigningKey, RotateSigningKeyRequest(), idempotencyKey: idempotencyKey)
    }

    public func listRevocations(since: Int64, pageSize: Int32 = 0) async throws(PurserClientError) -> ListRevocationsResponse {
        try await channel.call(IdentityMethods.listRevocations, ListRevocationsRequest(since: since, pageSize: pageSize))
    }
}

extension PurserClient {
    /// The Identity service.
    public func identity() throws(PurserClientError) -> IdentityAPI { IdentityAPI(channel: try channel(.identity)) }
}
