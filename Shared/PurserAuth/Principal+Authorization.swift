/// One-line authorization checks for handlers. Each throws an `AuthError` the
/// edge maps to a status: `.permissionDenied` when the caller's role may not
/// call the method, `.notFound` when the target lies outside the caller's
/// reach, so another tenant's (or agent's, or provider's) ids are answered
/// exactly as ids that do not exist.
extension Principal {
    /// Passes when the principal is one of `kinds`; `role_not_allowed` otherwise.
    public func require(_ kinds: Kind...) throws(AuthError) {
        try require(anyOf: kinds)
    }

    /// Passes when the principal is one of `kinds`; `role_not_allowed` otherwise.
    public func require(anyOf kinds: some Sequence<Kind>) throws(AuthError) {
        let kind = self.kind
        guard kinds.contains(kind) else { throw .roleNotAllowed }
    }

    /// Passes when the principal may see data of `tenantID`: its own tenant,
    /// or any tenant for the operator and for services (which act across
    /// tenants). Providers and principals of another tenant get `.notFound`.
    public func requireTenant(_ tenantID: String) throws(AuthError) {
        switch self {
        case .operator, .service: return
        case .tenantAdmin(let tenant), .tenantFinance(let tenant), .agent(let tenant, _):
            guard tenant == tenantID else { throw .notFound }
        case .provider:
            throw .notFound
        }
    }

    /// Passes when the principal may see agent `agentID` of tenant `tenantID`:
    /// the agent itself, its tenant's admin and finance principals, the operator
    /// and services. Anyone else, including another agent of the same tenant,
    /// gets `.notFound`.
    public func requireAgent(_ agentID: String, inTenant tenantID: String) throws(AuthError) {
        switch self {
        case .operator, .service: return
        case .tenantAdmin(let tenant), .tenantFinance(let tenant):
            guard tenant == tenantID else { throw .notFound }
        case .agent(let tenant, let ownID):
            guard tenant == tenantID, ownID == agentID else { throw .notFound }
        case .provider:
            throw .notFound
        }
    }

    /// Passes when the principal may act for provider `providerID`: the provider
    /// itself, the operator and services. Anyone else gets `.notFound`.
    public func requireProvider(_ providerID: String) throws(AuthError) {
        switch self {
        case .operator, .service: return
        case .provider(let ownID):
            guard ownID == providerID else { throw .notFound }
        case .tenantAdmin, .tenantFinance, .agent:
            throw .notFound
        }
    }

    /// Passes when the principal is a service named in `names`;
    /// `role_not_allowed` for non-services, `service_not_allowed` for other services.
    public func requireService(in names: Set<String>) throws(AuthError) {
        guard case .service(let name) = self else { throw .roleNotAllowed }
        guard names.contains(name) else { throw .serviceNotAllowed }
    }

    /// Who may call a method, the one rule every service declares when it
    /// registers a handler: the principal is one of `kinds` (`role_not_allowed`
    /// otherwise) and, when `services` is not empty, a service principal is
    /// one of the services it names (`service_not_allowed` otherwise).
    public func require(anyOf kinds: Set<Kind>, services: Set<String>) throws(AuthError) {
        try require(anyOf: kinds)
        if case .service = self, !services.isEmpty { try requireService(in: services) }
    }

    /// True when the principal is the agent `agentID`.
    public func isAgent(_ agentID: String) -> Bool {
        if case .agent(_, let ownID) = self { return ownID == agentID }
        return false
    }

    /// True when the principal is the operator.
    public var isOperator: Bool { self == .operator }
}
