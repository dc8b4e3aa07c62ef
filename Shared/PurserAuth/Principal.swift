/// Who is calling. Built from a verified token (`Principal(claims:)`) or, for
/// `service`, from the common name of a verified mTLS client certificate.
public enum Principal: Sendable, Hashable {
    /// The platform operator: creates tenants and providers, rotates keys, runs settlement.
    case `operator`
    /// A tenant API key with role `admin`: everything inside its tenant.
    case tenantAdmin(tenant: String)
    /// A tenant API key with role `finance`: reads its tenant's ledgers and reports.
    case tenantFinance(tenant: String)
    /// An agent: spends from and reads its own account and mail.
    case agent(tenant: String, agentID: String)
    /// A provider: captures, voids and refunds holds payable to itself.
    case provider(providerID: String)
    /// Another Purser service, authenticated by its client certificate.
    case service(name: String)

    /// The case of a principal without its associated values, for `require(_:)`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case `operator`, tenantAdmin, tenantFinance, agent, provider, service
    }

    public var kind: Kind {
        switch self {
        case .operator: .operator
        case .tenantAdmin: .tenantAdmin
        case .tenantFinance: .tenantFinance
        case .agent: .agent
        case .provider: .provider
        case .service: .service
        }
    }

    /// The tenant the principal belongs to; `nil` for operator, provider and service.
    public var tenantID: String? {
        switch self {
        case .tenantAdmin(let tenant), .tenantFinance(let tenant), .agent(let tenant, _): tenant
        case .operator, .provider, .service: nil
        }
    }

    /// The principal a verified token speaks for. `sub` is the agent id for
    /// agents and the provider id for providers; `admin`, `finance` and `agent`
    /// tokens must name a non-empty tenant (`missing_tenant` otherwise).
    public init(claims: JWTClaims) throws(AuthError) {
        func tenant() throws(AuthError) -> String {
            guard let tenant = claims.tenant, !tenant.isEmpty else { throw .missingTenant }
            return tenant
        }
        switch claims.role {
        case .operator: self = .operator
        case .admin: self = .tenantAdmin(tenant: try tenant())
        case .finance: self = .tenantFinance(tenant: try tenant())
        case .agent: self = .agent(tenant: try tenant(), agentID: claims.subject)
        case .provider: self = .provider(providerID: claims.subject)
        }
    }
}
