import PurserAPI
import PurserAuth
import PurserIdentity
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity access: every principal kind against every method it may not call; tenant isolation")
    struct AccessTests {
        @Test func everyMethodHasARuleAndIsServed() async throws {
            #expect(Set(IdentityAccess.rules.keys) == Set(IdentityMethods.allNames))
            try await withIdentity("access_rules") { identity in
                let served = Set(identity.host.router.methods)
                #expect(Set(IdentityMethods.allNames).isSubset(of: served))
            }
        }

        // Which principal kind may call which method is not re-derived here from
        // `IdentityAccess.rules` (the table the handlers read): the system
        // authorization matrix (Tests/SystemTests/AuthorizationMatrixTests.swift)
        // calls every Identity RPC as every principal, with and without a token
        // or a service certificate, against an independent written-out table
        // (Tests/SystemTests/Support/AccessExpectations.swift).

        @Test func anotherTenantsIDsAnswerNotFound() async throws {
            try await withIdentity("isolation") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let betaAgent = try await identity.makeAgent("spender", in: beta)
                let betaKeys = try await identity.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: beta.tenant.id), token: beta.adminToken)
                let betaKey = try #require(betaKeys.keys.first)
                let acmeAgent = try await identity.makeAgent("worker", in: acme)
                let acmeAgentToken = try await identity.token(acmeAgent.secret)
                let sibling = try await identity.makeAgent("sibling", in: acme)
                let b = beta.tenant.id, a = betaAgent.agent.id

                let attempts: [(String, () async throws -> Void)] = [
                    ("GetTenant", { _ = try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: b), token: acme.adminToken) }),
                    ("GetTenant finance", { _ = try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: b), token: acme.financeToken) }),
                    ("CreateApiKey", { _ = try await identity.call(IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: b, role: .admin), token: acme.adminToken) }),
                    ("ListApiKeys", { _ = try await identity.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: b), token: acme.adminToken) }),
                    ("RevokeApiKey", { _ = try await identity.call(IdentityMethods.revokeApiKey, RevokeApiKeyRequest(tenantID: b, keyID: betaKey.id), token: acme.adminToken) }),
                    ("CreateAgent", { _ = try await identity.call(IdentityMethods.createAgent, CreateAgentRequest(tenantID: b, handle: "intruder"), token: acme.adminToken) }),
                    ("GetAgent", { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: b, agentID: a), token: acme.adminToken) }),
                    ("GetAgent other tenant id", { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: a), token: acme.adminToken) }),
                    ("ListAgents", { _ = try await identity.call(IdentityMethods.listAgents, ListAgentsRequest(tenantID: b), token: acme.financeToken) }),
                    ("RotateAgentSecret", { _ = try await identity.call(IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: b, agentID: a), token: acme.adminToken) }),
                    ("SuspendAgent", { _ = try await identity.call(IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: b, agentID: a), token: acme.adminToken) }),
                    ("ResumeAgent", { _ = try await identity.call(IdentityMethods.resumeAgent, ResumeAgentRequest(tenantID: b, agentID: a), token: acme.adminToken) }),
                    ("RevokeAgent", { _ = try await identity.call(IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: b, agentID: a, reason: "x"), token: acme.adminToken) }),
                    ("GetAgent sibling", { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: sibling.agent.id), token: acmeAgentToken) }),
                    ("RotateAgentSecret sibling", { _ = try await identity.call(IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: acme.tenant.id, agentID: sibling.agent.id), token: acmeAgentToken) }),
                    ("GetAgent malformed id", { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: "x"), token: acme.adminToken) }),
                ]
                for (name, attempt) in attempts {
                    let error = await rpcError(attempt)
                    #expect(error?.code == .notFound, "\(name)")
                    #expect(error?.reason == "not_found", "\(name)")
                }
                let untouched = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: b, agentID: a), token: beta.adminToken)
                #expect(untouched.status == .active)
                _ = try await identity.token(betaAgent.secret)
            }
        }

        @Test func servicePrincipalsReadTenantsAgentsProvidersAndRevocations() async throws {
            try await withIdentity("service_reads") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let provider = try await identity.call(IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "S"), token: op)
                let wallet = identity.wallet
                #expect(try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: acme.tenant.id), via: wallet) == acme.tenant)
                #expect(try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id), via: wallet) == agent.agent)
                #expect(try await identity.call(IdentityMethods.getProvider, GetProviderRequest(providerID: provider.provider.id), via: wallet) == provider.provider)

                let empty = try await identity.call(IdentityMethods.listRevocations, ListRevocationsRequest(since: 0), via: wallet)
                #expect(empty.revocations.isEmpty)
                _ = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "done"),
                    token: acme.adminToken)
                let feed = try await identity.call(IdentityMethods.listRevocations, ListRevocationsRequest(since: empty.nextCursor), via: wallet)
                let entry = try #require(feed.revocations.first)
                #expect(feed.revocations.count == 1)
                #expect(entry.subject == agent.agent.id)
                #expect(entry.tenantID == acme.tenant.id)
                #expect(entry.reason == "done")
                #expect(entry.expiresAtUs > entry.revokedAtUs)
                #expect(feed.nextCursor == entry.cursor)
                let after = try await identity.call(IdentityMethods.listRevocations, ListRevocationsRequest(since: feed.nextCursor), via: wallet)
                #expect(after.revocations.isEmpty)
                #expect(after.nextCursor == feed.nextCursor)
            }
        }
    }
}
