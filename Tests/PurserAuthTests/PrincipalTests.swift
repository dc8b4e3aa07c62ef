import Testing
@testable import PurserAuth

@Suite struct PrincipalTests {
    static let admin = Principal.tenantAdmin(tenant: "t1")
    static let finance = Principal.tenantFinance(tenant: "t1")
    static let agent = Principal.agent(tenant: "t1", agentID: "a1")
    static let provider = Principal.provider(providerID: "p1")
    static let service = Principal.service(name: "wallet")
    static let all: [Principal] = [.operator, admin, finance, agent, provider, service]

    static let claimCases: [(TokenRole, String?, String, Principal)] = [
        (.operator, nil, "op-key-1", .operator),
        (.admin, "t1", "key-1", .tenantAdmin(tenant: "t1")),
        (.finance, "t1", "key-2", .tenantFinance(tenant: "t1")),
        (.agent, "t1", "a1", .agent(tenant: "t1", agentID: "a1")),
        (.provider, nil, "p1", .provider(providerID: "p1")),
    ]

    @Test(arguments: claimCases)
    func principalIsBuiltFromRoleTenantAndSubject(role: TokenRole, tenant: String?, subject: String, expected: Principal) throws {
        let claims = JWTClaims(
            issuer: "i", subject: subject, audience: ["a"], expiresAt: 2, issuedAt: 1, tokenID: "j", tenant: tenant,
            role: role)
        #expect(try Principal(claims: claims) == expected)
    }

    @Test(arguments: [TokenRole.admin, .finance, .agent])
    func tenantRolesNeedANonEmptyTenant(role: TokenRole) {
        for tenant in [nil, ""] as [String?] {
            let claims = JWTClaims(
                issuer: "i", subject: "s", audience: ["a"], expiresAt: 2, issuedAt: 1, tokenID: "j", tenant: tenant,
                role: role)
            #expect(throws: AuthError.missingTenant) { try Principal(claims: claims) }
        }
    }

    static let roleCases: [([Principal.Kind], Principal, Bool)] = [
        ([.operator, .tenantAdmin, .agent], .operator, true),
        ([.operator, .tenantAdmin, .agent], admin, true),
        ([.operator, .tenantAdmin, .agent], agent, true),
        ([.operator, .tenantAdmin, .agent], finance, false),
        ([.operator, .tenantAdmin, .agent], provider, false),
        ([.operator, .tenantAdmin, .agent], service, false),
        ([.tenantFinance], finance, true),
        ([.service], service, true),
        ([], .operator, false),
    ]

    @Test(arguments: roleCases)
    func requirePassesOnlyTheListedKinds(kinds: [Principal.Kind], principal: Principal, allowed: Bool) {
        if allowed {
            #expect(throws: Never.self) { try principal.require(anyOf: kinds) }
        } else {
            #expect(throws: AuthError.roleNotAllowed) { try principal.require(anyOf: kinds) }
        }
    }

    @Test func variadicRequireMatchesTheSequenceForm() {
        #expect(throws: Never.self) { try Self.agent.require(.operator, .tenantAdmin, .agent) }
        #expect(throws: AuthError.roleNotAllowed) { try Self.provider.require(.operator, .tenantAdmin, .agent) }
    }

    static let tenantCases: [(Principal, String, AuthError?)] = [
        (.operator, "t2", nil),
        (service, "t2", nil),
        (admin, "t1", nil),
        (finance, "t1", nil),
        (agent, "t1", nil),
        (admin, "t2", .notFound),
        (finance, "t2", .notFound),
        (agent, "t2", .notFound),
        (provider, "t1", .notFound),
    ]

    @Test(arguments: tenantCases)
    func anotherTenantLooksLikeNothing(principal: Principal, tenant: String, expected: AuthError?) {
        if let expected {
            #expect(throws: expected) { try principal.requireTenant(tenant) }
        } else {
            #expect(throws: Never.self) { try principal.requireTenant(tenant) }
        }
    }

    static let agentCases: [(Principal, String, String, AuthError?)] = [
        (agent, "a1", "t1", nil),
        (agent, "a2", "t1", .notFound),
        (agent, "a1", "t2", .notFound),
        (admin, "a2", "t1", nil),
        (finance, "a2", "t1", nil),
        (admin, "a1", "t2", .notFound),
        (provider, "a1", "t1", .notFound),
        (.operator, "a1", "t9", nil),
        (service, "a1", "t9", nil),
    ]

    @Test(arguments: agentCases)
    func agentsReachOnlyThemselves(principal: Principal, agentID: String, tenant: String, expected: AuthError?) {
        if let expected {
            #expect(throws: expected) { try principal.requireAgent(agentID, inTenant: tenant) }
        } else {
            #expect(throws: Never.self) { try principal.requireAgent(agentID, inTenant: tenant) }
        }
    }

    @Test func providersReachOnlyThemselves() {
        #expect(throws: Never.self) { try Self.provider.requireProvider("p1") }
        #expect(throws: AuthError.notFound) { try Self.provider.requireProvider("p2") }
        #expect(throws: AuthError.notFound) { try Self.admin.requireProvider("p1") }
        #expect(throws: AuthError.notFound) { try Self.agent.requireProvider("p1") }
        #expect(throws: Never.self) { try Principal.operator.requireProvider("p1") }
        #expect(throws: Never.self) { try Self.service.requireProvider("p1") }
    }

    @Test func internalMethodsAdmitOnlyNamedServices() {
        #expect(throws: Never.self) { try Self.service.requireService(in: ["identity", "wallet"]) }
        #expect(throws: AuthError.serviceNotAllowed) { try Self.service.requireService(in: ["identity"]) }
        #expect(throws: AuthError.roleNotAllowed) { try Principal.operator.requireService(in: ["wallet"]) }
    }

    @Test func aRegisteredRuleAdmitsItsKindsAndOnlyTheServicesItNames() {
        #expect(throws: Never.self) { try Self.service.require(anyOf: [.service, .tenantAdmin], services: ["wallet"]) }
        #expect(throws: Never.self) { try Self.admin.require(anyOf: [.service, .tenantAdmin], services: ["wallet"]) }
        #expect(throws: Never.self) { try Self.service.require(anyOf: [.service], services: []) }
        #expect(throws: AuthError.serviceNotAllowed) { try Self.service.require(anyOf: [.service], services: ["identity"]) }
        #expect(throws: AuthError.roleNotAllowed) { try Self.agent.require(anyOf: [.service], services: ["identity"]) }
    }

    @Test func isAgentIsTrueOnlyForThatAgent() {
        #expect(Self.agent.isAgent("a1"))
        #expect(!Self.agent.isAgent("a2"))
        #expect(!Self.admin.isAgent("a1"))
        #expect(!Principal.provider(providerID: "a1").isAgent("a1"))
    }

    @Test func tenantAndKindAreReported() {
        #expect(Self.all.map(\.kind) == Principal.Kind.allCases)
        #expect(Self.all.map(\.tenantID) == [nil, "t1", "t1", "t1", nil, nil])
        #expect(Self.all.filter(\.isOperator) == [.operator])
    }

    @Test func authorizationErrorsMapToDistinctKinds() {
        #expect(AuthError.roleNotAllowed.kind == .permissionDenied)
        #expect(AuthError.notFound.kind == .notFound)
        #expect(AuthError.tokenExpired.kind == .unauthenticated)
        #expect(AuthError.tokenExpired.reason == "token_expired")
    }
}
