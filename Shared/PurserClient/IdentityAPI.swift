import PurserAPI

/// Typed calls to `purser.identity.v1.Identity`. Who may call what is decided
/// by the service; mutating calls carry an idempotency key (pass one to make
/// a retry across processes safe).
public struct IdentityAPI: Sendable {
    public let channel: ServiceChannel

    /// Calls Identity over `channel`.
    public init(channel: ServiceChannel) { self.channel = channel }

    /// Creates the first operator key; needs a client certificate and works once per deployment.
    public func bootstrap(label: String) async throws(PurserClientError) -> BootstrapResponse {
        try await channel.call(IdentityMethods.bootstrap, BootstrapRequest(label: label))
    }

    /// Exchanges a secret for a short-lived token (what `.secret` credentials do automatically).
    public func authenticate(secret: String, audience: String = "") async throws(PurserClientError) -> AuthenticateResponse {
        try await channel.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: audience))
    }

    /// Creates a tenant (operator).
    public func createTenant(_ request: CreateTenantRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> Tenant {
        try await channel.call(IdentityMethods.createTenant, request, idempotencyKey: idempotencyKey)
    }

    /// One tenant; another tenant's id answers NOT_FOUND.
    public func getTenant(id: String) async throws(PurserClientError) -> Tenant {
        try await channel.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: id))
    }

    /// Changes the settings the request sets (the operator, or the tenant's own admin).
    public func updateTenantSettings(_ request: UpdateTenantSettingsRequest) async throws(PurserClientError) -> Tenant {
        try await channel.call(IdentityMethods.updateTenantSettings, request)
    }

    /// Tenants, paged (operator).
    public func listTenants(pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListTenantsResponse {
        try await channel.call(IdentityMethods.listTenants, ListTenantsRequest(pageSize: pageSize, pageToken: pageToken))
    }

    /// Creates a tenant API key; the response holds its secret, shown once.
    public func createApiKey(_ request: CreateApiKeyRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CreateApiKeyResponse {
        try await channel.call(IdentityMethods.createApiKey, request, idempotencyKey: idempotencyKey)
    }

    /// The tenant's API keys, never their secrets.
    public func listApiKeys(tenantID: String, pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListApiKeysResponse {
        try await channel.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: tenantID, pageSize: pageSize, pageToken: pageToken))
    }

    /// Revokes an API key at once; repeating it is a no-op.
    public func revokeApiKey(tenantID: String, keyID: String) async throws(PurserClientError) -> ApiKey {
        try await channel.call(IdentityMethods.revokeApiKey, RevokeApiKeyRequest(tenantID: tenantID, keyID: keyID))
    }

    /// Creates an agent; the response holds its first secret, shown once.
    public func createAgent(_ request: CreateAgentRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CreateAgentResponse {
        try await channel.call(IdentityMethods.createAgent, request, idempotencyKey: idempotencyKey)
    }

    /// Creates a sub-agent (its parent agent itself, or the tenant admin); the response holds its secret, shown once.
    public func createSubAgent(_ request: CreateSubAgentRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CreateSubAgentResponse {
        try await channel.call(IdentityMethods.createSubAgent, request, idempotencyKey: idempotencyKey)
    }

    /// One agent of the tenant.
    public func getAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    /// The tenant's agents, paged, optionally by status.
    public func listAgents(_ request: ListAgentsRequest) async throws(PurserClientError) -> ListAgentsResponse {
        try await channel.call(IdentityMethods.listAgents, request)
    }

    /// Issues a new agent secret; the old one keeps working for the grace period.
    public func rotateAgentSecret(_ request: RotateAgentSecretRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateAgentSecretResponse {
        try await channel.call(IdentityMethods.rotateAgentSecret, request, idempotencyKey: idempotencyKey)
    }

    /// Suspends an agent (reversible).
    public func suspendAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    /// Resumes a suspended agent.
    public func resumeAgent(tenantID: String, agentID: String) async throws(PurserClientError) -> Agent {
        try await channel.call(IdentityMethods.resumeAgent, ResumeAgentRequest(tenantID: tenantID, agentID: agentID))
    }

    /// Revokes the agent; returns once Wallet and Email-alias acknowledged (or lists them as pending).
    public func revokeAgent(tenantID: String, agentID: String, reason: String) async throws(PurserClientError) -> RevokeAgentResponse {
        try await channel.call(IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: tenantID, agentID: agentID, reason: reason))
    }

    /// Registers a provider (operator); the response holds its secret, shown once.
    public func registerProvider(_ request: RegisterProviderRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RegisterProviderResponse {
        try await channel.call(IdentityMethods.registerProvider, request, idempotencyKey: idempotencyKey)
    }

    /// One provider.
    public func getProvider(id: String) async throws(PurserClientError) -> Provider {
        try await channel.call(IdentityMethods.getProvider, GetProviderRequest(providerID: id))
    }

    /// Providers, paged.
    public func listProviders(pageSize: Int32 = 0, pageToken: String = "") async throws(PurserClientError) -> ListProvidersResponse {
        try await channel.call(IdentityMethods.listProviders, ListProvidersRequest(pageSize: pageSize, pageToken: pageToken))
    }

    /// Issues a new provider secret; the old one keeps working for the grace period.
    public func rotateProviderSecret(_ request: RotateProviderSecretRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateProviderSecretResponse {
        try await channel.call(IdentityMethods.rotateProviderSecret, request, idempotencyKey: idempotencyKey)
    }

    /// The public JWK set every service verifies tokens with.
    public func issuePaymentToken(_ request: IssuePaymentTokenRequest) async throws(PurserClientError) -> IssuePaymentTokenResponse {
        try await channel.call(IdentityMethods.issuePaymentToken, request)
    }

    public func signingKeys() async throws(PurserClientError) -> GetSigningKeysResponse {
        try await channel.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest())
    }

    /// Makes a new current signing key; the previous one keeps verifying (operator).
    public func rotateSigningKey(idempotencyKey: String? = nil) async throws(PurserClientError) -> RotateSigningKeyResponse {
        try await channel.call(IdentityMethods.rotateSigningKey, RotateSigningKeyRequest(), idempotencyKey: idempotencyKey)
    }

    /// Revoked token subjects after a cursor (services keep their revoked sets with it).
    public func listRevocations(since: Int64, pageSize: Int32 = 0) async throws(PurserClientError) -> ListRevocationsResponse {
        try await channel.call(IdentityMethods.listRevocations, ListRevocationsRequest(since: since, pageSize: pageSize))
    }

    /// Registers a webhook endpoint; the response holds its signing secret, shown once.
    public func createWebhookEndpoint(
        _ request: CreateWebhookEndpointRequest, idempotencyKey: String? = nil
    ) async throws(PurserClientError) -> CreateWebhookEndpointResponse {
        try await channel.call(IdentityMethods.createWebhookEndpoint, request, idempotencyKey: idempotencyKey)
    }

    /// The tenant's webhook endpoints, never their secrets.
    public func listWebhookEndpoints(_ request: ListWebhookEndpointsRequest) async throws(PurserClientError) -> ListWebhookEndpointsResponse {
        try await channel.call(IdentityMethods.listWebhookEndpoints, request)
    }

    /// Changes the fields the request sets.
    public func updateWebhookEndpoint(_ request: UpdateWebhookEndpointRequest) async throws(PurserClientError) -> WebhookEndpoint {
        try await channel.call(IdentityMethods.updateWebhookEndpoint, request)
    }

    /// Deletes an endpoint with its delivery log.
    public func deleteWebhookEndpoint(_ request: DeleteWebhookEndpointRequest) async throws(PurserClientError) -> WebhookEndpoint {
        try await channel.call(IdentityMethods.deleteWebhookEndpoint, request)
    }

    /// A new signing secret, shown once; the previous one keeps signing for the overlap.
    public func rotateWebhookSecret(
        _ request: RotateWebhookSecretRequest, idempotencyKey: String? = nil
    ) async throws(PurserClientError) -> RotateWebhookSecretResponse {
        try await channel.call(IdentityMethods.rotateWebhookSecret, request, idempotencyKey: idempotencyKey)
    }

    /// An endpoint's deliveries, newest first, with their attempts.
    public func listWebhookDeliveries(_ request: ListWebhookDeliveriesRequest) async throws(PurserClientError) -> ListWebhookDeliveriesResponse {
        try await channel.call(IdentityMethods.listWebhookDeliveries, request)
    }

    /// Sends a delivery again, as soon as possible, under the same event id.
    public func redeliverWebhook(_ request: RedeliverWebhookRequest) async throws(PurserClientError) -> WebhookDelivery {
        try await channel.call(IdentityMethods.redeliverWebhook, request)
    }
}

extension PurserClient {
    /// The Identity service.
    public func identity() throws(PurserClientError) -> IdentityAPI { IdentityAPI(channel: try channel(.identity)) }
}
