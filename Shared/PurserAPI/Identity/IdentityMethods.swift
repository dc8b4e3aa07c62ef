import PurserRPC

/// The methods of `purser.identity.v1.Identity`, typed by request and response.
public enum IdentityMethods {
    static let prefix = "purser.identity.v1.Identity/"

    public static let bootstrap = MethodDescriptor<BootstrapRequest, BootstrapResponse>(prefix + "Bootstrap")
    public static let createTenant = MethodDescriptor<CreateTenantRequest, Tenant>(prefix + "CreateTenant")
    public static let getTenant = MethodDescriptor<GetTenantRequest, Tenant>(prefix + "GetTenant", idempotent: true)
    public static let listTenants = MethodDescriptor<ListTenantsRequest, ListTenantsResponse>(prefix + "ListTenants", idempotent: true)
    public static let createApiKey = MethodDescriptor<CreateApiKeyRequest, CreateApiKeyResponse>(prefix + "CreateApiKey")
    public static let listApiKeys = MethodDescriptor<ListApiKeysRequest, ListApiKeysResponse>(prefix + "ListApiKeys", idempotent: true)
    public static let revokeApiKey = MethodDescriptor<RevokeApiKeyRequest, ApiKey>(prefix + "RevokeApiKey", idempotent: true)
    public static let createAgent = MethodDescriptor<CreateAgentRequest, CreateAgentResponse>(prefix + "CreateAgent")
    public static let getAgent = MethodDescriptor<GetAgentRequest, Agent>(prefix + "GetAgent", idempotent: true)
    public static let listAgents = MethodDescriptor<ListAgentsRequest, ListAgentsResponse>(prefix + "ListAgents", idempotent: true)
    public static let rotateAgentSecret = MethodDescriptor<RotateAgentSecretRequest, RotateAgentSecretResponse>(prefix + "RotateAgentSecret")
    public static let suspendAgent = MethodDescriptor<SuspendAgentRequest, Agent>(prefix + "SuspendAgent", idempotent: true)
    public static let resumeAgent = MethodDescriptor<ResumeAgentRequest, Agent>(prefix + "ResumeAgent", idempotent: true)
    public static let revokeAgent = MethodDescriptor<RevokeAgentRequest, RevokeAgentResponse>(prefix + "RevokeAgent", idempotent: true)
    public static let registerProvider = MethodDescriptor<RegisterProviderRequest, RegisterProviderResponse>(prefix + "RegisterProvider")
    public static let getProvider = MethodDescriptor<GetProviderRequest, Provider>(prefix + "GetProvider", idempotent: true)
    public static let listProviders = MethodDescriptor<ListProvidersRequest, ListProvidersResponse>(prefix + "ListProviders", idempotent: true)
    public static let rotateProviderSecret = MethodDescriptor<RotateProviderSecretRequest, RotateProviderSecretResponse>(prefix + "RotateProviderSecret")
    public static let authenticate = MethodDescriptor<AuthenticateRequest, AuthenticateResponse>(prefix + "Authenticate")
    public static let getSigningKeys = MethodDescriptor<GetSigningKeysRequest, GetSigningKeysResponse>(prefix + "GetSigningKeys", idempotent: true)
    public static let rotateSigningKey = MethodDescriptor<RotateSigningKeyRequest, RotateSigningKeyResponse>(prefix + "RotateSigningKey")
    public static let listRevocations = MethodDescriptor<ListRevocationsRequest, ListRevocationsResponse>(prefix + "ListRevocations", idempotent: true)
    public static let issuePaymentToken = MethodDescriptor<IssuePaymentTokenRequest, IssuePaymentTokenResponse>(prefix + "IssuePaymentToken")

    /// The full name of every method, in the order of the proto file.
    public static let allNames: [String] = [
        bootstrap.fullName, createTenant.fullName, getTenant.fullName, listTenants.fullName,
        createApiKey.fullName, listApiKeys.fullName, revokeApiKey.fullName,
        createAgent.fullName, getAgent.fullName, listAgents.fullName, rotateAgentSecret.fullName,
        suspendAgent.fullName, resumeAgent.fullName, revokeAgent.fullName,
        registerProvider.fullName, getProvider.fullName, listProviders.fullName, rotateProviderSecret.fullName,
        authenticate.fullName, getSigningKeys.fullName, rotateSigningKey.fullName, listRevocations.fullName,
        issuePaymentToken.fullName,
    ]
}
