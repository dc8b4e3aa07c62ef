import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

@Suite("Effective policy")
struct EffectivePolicyTests {
    static let tenantDocument = #"""
        {"per_call_max": "5.00",
         "limits": [{"amount": "100.00", "interval": "daily"}],
         "allowed_categories": ["search", "travel", "compute"],
         "blocked_providers": ["shady"]}
        """#
    static let agentDocument = #"""
        {"per_call_max": "2.00",
         "limits": [{"amount": "20.00", "count": 10, "interval": "daily", "categories": ["search"]}],
         "allowed_categories": ["search", "travel"],
         "blocked_providers": ["risky"]}
        """#

    @Test func mergeShowsTheStricterBoundAndWhereEachRuleComesFrom() async throws {
        try await withPolicy("merge") { h in
            let tenant = try await h.makeTenant("acme", timeZone: "Europe/Paris")
            let agent = try await h.makeAgent("researcher", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: Self.tenantDocument),
                token: tenant.adminToken)
            _ = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(tenantID: tenant.id, agentID: agent.id, documentJSON: Self.agentDocument),
                token: tenant.adminToken)
            let view = try await h.call(
                PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenant.id, agentID: agent.id),
                token: tenant.financeToken)
            #expect(view.tenantVersion == 1)
            #expect(view.agentVersion == 1)
            #expect(view.timeZone == "Europe/Paris")
            #expect(view.perCallMax?.amountMicros == 2_000_000)
            #expect(view.perCallMax?.source == RuleSourceView(level: .agent, version: 1, agentID: agent.id))
            #expect(view.limits.map(\.limitID) == ["daily", "daily:search"])
            #expect(view.limits.map(\.source.level) == [.tenant, .agent])
            #expect(view.limits.last?.count == 10)
            #expect(view.limits.last?.rule.contains("agent v1") == true)
            #expect(view.allowedCategories?.names == ["search", "travel"])
            #expect(view.allowedCategories?.sources.map(\.level) == [.tenant, .agent])
            #expect(view.blockedProviders.map(\.name) == ["risky", "shady"])
            #expect(view.blockedProviders.map(\.source.level) == [.agent, .tenant])
            #expect(!view.etag.isEmpty)

            let tenantOnly = try await h.call(
                PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenant.id), token: tenant.adminToken)
            #expect(tenantOnly.perCallMax?.amountMicros == 5_000_000)
            #expect(tenantOnly.agentVersion == 0)
            #expect(tenantOnly.etag != view.etag)
        }
    }

    @Test func anotherTenantsAgentIsNotFound() async throws {
        try await withPolicy("isolation") { h in
            let acme = try await h.makeTenant("acme")
            let globex = try await h.makeTenant("globex")
            let outsider = try await h.makeAgent("outsider", in: globex)
            let read = await rpcError {
                _ = try await h.call(
                    PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: acme.id, agentID: outsider.id),
                    token: acme.adminToken)
            }
            let write = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setAgentPolicy,
                    SetAgentPolicyRequest(tenantID: acme.id, agentID: outsider.id, documentJSON: "{}"),
                    token: acme.adminToken)
            }
            let otherTenant = await rpcError {
                _ = try await h.call(
                    PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: globex.id, agentID: outsider.id),
                    token: acme.adminToken)
            }
            let otherTenantWrite = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: globex.id, documentJSON: "{}"),
                    token: acme.adminToken)
            }
            #expect(read?.code == .notFound)
            #expect(read?.reason == "not_found")
            #expect(write?.code == .notFound)
            #expect(write?.reason == "not_found")
            #expect(otherTenant?.code == .notFound)
            #expect(otherTenant?.reason == "not_found")
            #expect(otherTenantWrite?.code == .notFound)
            #expect(otherTenantWrite?.reason == "not_found")
        }
    }

    @Test func anAgentReadsItsOwnEffectivePolicyButNotAnothersAgents() async throws {
        try await withPolicy("agent_reads") { h in
            let tenant = try await h.makeTenant("acme")
            let me = try await h.makeAgent("me", in: tenant)
            let peer = try await h.makeAgent("peer", in: tenant)
            _ = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(tenantID: tenant.id, agentID: me.id, documentJSON: #"{"per_call_max": "3.00"}"#),
                token: tenant.adminToken)
            let own = try await h.call(
                PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenant.id, agentID: me.id),
                token: me.token)
            #expect(own.perCallMax?.amountMicros == 3_000_000)
            let implicit = try await h.call(
                PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenant.id), token: me.token)
            #expect(implicit.agentID == me.id)
            #expect(implicit.agentVersion == 1)
            let other = await rpcError {
                _ = try await h.call(
                    PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: tenant.id, agentID: peer.id),
                    token: me.token)
            }
            #expect(other?.code == .notFound)
            #expect(other?.reason == "not_found")
            let history = await rpcError {
                _ = try await h.call(
                    PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id, agentID: me.id),
                    token: me.token)
            }
            #expect(history?.code == .permissionDenied)
            #expect(history?.reason == "permission_denied")
        }
    }
}
