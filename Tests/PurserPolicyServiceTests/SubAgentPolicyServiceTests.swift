import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// Sub-agents' policies against a real Policy and Identity: the effective
/// policy of a three-level chain, the narrowing rule and who may write and
/// read a descendant's override. Sub-agents are placed with
/// `SubAgentStandIn` until Identity serves `CreateSubAgent`.
@Suite("Sub-agent policies")
struct SubAgentPolicyServiceTests {
    /// A tenant, a root agent, its child, the child's child, and a sibling of the child.
    struct Chain {
        let tenant: PolicyHarness.TenantFixture
        let root: PolicyHarness.AgentFixture
        let child: PolicyHarness.AgentFixture
        let grandchild: PolicyHarness.AgentFixture
        let sibling: PolicyHarness.AgentFixture
    }

    static func chain(_ h: PolicyHarness) async throws -> Chain {
        let tenant = try await h.makeTenant("acme")
        let root = try await h.makeAgent("root", in: tenant)
        let child = try await h.makeAgent("child", in: tenant)
        let grandchild = try await h.makeAgent("grandchild", in: tenant)
        let sibling = try await h.makeAgent("sibling", in: tenant)
        try await SubAgentStandIn.adopt(child: child.id, parent: root.id, tenantID: tenant.id, identity: h.identityHost)
        try await SubAgentStandIn.adopt(child: grandchild.id, parent: child.id, tenantID: tenant.id, identity: h.identityHost)
        try await SubAgentStandIn.adopt(child: sibling.id, parent: root.id, tenantID: tenant.id, identity: h.identityHost)
        return Chain(tenant: tenant, root: root, child: child, grandchild: grandchild, sibling: sibling)
    }

    static func set(
        _ h: PolicyHarness, _ chain: Chain, agent: String, _ document: String, token: String
    ) async throws(RPCError) -> PolicyVersion {
        try await h.call(
            PolicyMethods.setAgentPolicy,
            SetAgentPolicyRequest(tenantID: chain.tenant.id, agentID: agent, documentJSON: document), token: token)
    }

    /// The effective policy of `agent` as the holder of `token` sees it (as service `wallet` without one).
    static func effective(_ h: PolicyHarness, _ chain: Chain, agent: String, token: String?) async throws(RPCError)
        -> EffectivePolicyView
    {
        try await h.call(
            PolicyMethods.getEffectivePolicy, GetEffectivePolicyRequest(tenantID: chain.tenant.id, agentID: agent),
            token: token, via: token == nil ? h.wallet : nil)
    }

    @Test func aThreeLevelChainShowsTheIntersectionAndWhichAgentEachRuleComesFrom() async throws {
        try await withPolicy("subagent_chain") { h in
            let c = try await Self.chain(h)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(
                    tenantID: c.tenant.id,
                    documentJSON: #"{"per_call_max": "10.00", "allowed_categories": ["search", "travel", "compute"]}"#),
                token: c.tenant.adminToken)
            _ = try await Self.set(
                h, c, agent: c.root.id, #"{"limits": [{"amount": "50.00", "interval": "daily"}], "allowed_categories": ["search", "travel"]}"#,
                token: c.tenant.adminToken)
            _ = try await Self.set(h, c, agent: c.child.id, #"{"per_call_max": "4.00"}"#, token: c.root.token)
            _ = try await Self.set(
                h, c, agent: c.grandchild.id,
                #"{"limits": [{"amount": "20.00", "interval": "daily"}], "allowed_categories": ["search"]}"#, token: c.child.token)

            let view = try await Self.effective(h, c, agent: c.grandchild.id, token: c.tenant.financeToken)
            #expect(view.ancestors.map(\.agentID) == [c.root.id, c.child.id])
            #expect(view.ancestors.map(\.version) == [1, 1])
            #expect(view.ancestors.first?.documentJSON.contains("50.00") == true)
            #expect(view.tenantVersion == 1)
            #expect(view.agentVersion == 1)
            #expect(view.perCallMax?.amountMicros == 4_000_000)
            #expect(view.perCallMax?.source == RuleSourceView(level: .ancestor, version: 1, agentID: c.child.id))
            #expect(view.limits.map(\.amountMicros) == [50_000_000, 20_000_000])
            #expect(view.limits.map(\.source) == [
                RuleSourceView(level: .ancestor, version: 1, agentID: c.root.id),
                RuleSourceView(level: .agent, version: 1, agentID: c.grandchild.id),
            ])
            #expect(view.limits.first?.rule.contains("ancestor \(c.root.id) v1") == true)
            #expect(view.allowedCategories?.names == ["search"])
            #expect(view.allowedCategories?.sources.map(\.level) == [.tenant, .ancestor, .agent])

            // The grandchild reads its own, each ancestor reads it too; all see the same view.
            let own = try await Self.effective(h, c, agent: "", token: c.grandchild.token)
            let byRoot = try await Self.effective(h, c, agent: c.grandchild.id, token: c.root.token)
            #expect(own.etag == view.etag)
            #expect(byRoot.etag == view.etag)

            // The child's view has only the root as ancestor.
            let childView = try await Self.effective(h, c, agent: c.child.id, token: c.tenant.adminToken)
            #expect(childView.ancestors.map(\.agentID) == [c.root.id])
            #expect(childView.perCallMax?.source == RuleSourceView(level: .agent, version: 1, agentID: c.child.id))
            #expect(childView.limits.map(\.amountMicros) == [50_000_000])
        }
    }

    @Test func aLooserGrandchildOverrideIsRefusedWithTheFieldNamedAndNothingStored() async throws {
        try await withPolicy("subagent_looser") { h in
            let c = try await Self.chain(h)
            _ = try await Self.set(
                h, c, agent: c.root.id, #"{"limits": [{"amount": "50.00", "interval": "daily"}]}"#, token: c.tenant.adminToken)
            _ = try await Self.set(
                h, c, agent: c.child.id, #"{"per_call_max": "4.00", "allowed_providers": ["exa", "serp"]}"#,
                token: c.root.token)

            for (document, field) in [
                (#"{"limits": [{"amount": "1.00", "interval": "hourly"}, {"amount": "50.01", "interval": "daily"}]}"#, "limits[1].amount"),
                (#"{"per_call_max": "4.50"}"#, "per_call_max"),
                (#"{"allowed_providers": ["exa", "bing"]}"#, "allowed_providers[1]"),
            ] {
                // Neither the parent nor the tenant admin may store it.
                for token in [c.child.token, c.tenant.adminToken] {
                    let refused = await rpcError { _ = try await Self.set(h, c, agent: c.grandchild.id, document, token: token) }
                    #expect(refused?.code == .invalidArgument)
                    #expect(refused?.reason == "policy_looser_than_parent")
                    #expect(refused?.metadata["field"] == field)
                    #expect(refused?.message.hasPrefix("\(field): ") == true)
                }
            }
            let versions = try await h.call(
                PolicyMethods.listPolicyVersions,
                ListPolicyVersionsRequest(tenantID: c.tenant.id, agentID: c.grandchild.id), token: c.tenant.adminToken)
            #expect(versions.versions.isEmpty)

            // The same caps, or narrower, are accepted.
            let stored = try await Self.set(
                h, c, agent: c.grandchild.id,
                #"{"per_call_max": "4.00", "limits": [{"amount": "50.00", "interval": "daily"}], "allowed_providers": ["serp"]}"#,
                token: c.child.token)
            #expect(stored.version == 1)
            #expect(stored.author.hasPrefix("agent:"))
            // A root agent's override is only bounded by validation, as before.
            _ = try await Self.set(h, c, agent: c.root.id, #"{"per_call_max": "900.00"}"#, token: c.tenant.adminToken)
        }
    }

    @Test func aParentTighteningChangesItsDescendantsEffectivePolicy() async throws {
        try await withPolicy("subagent_tighten") { h in
            let c = try await Self.chain(h)
            _ = try await Self.set(h, c, agent: c.grandchild.id, #"{"per_call_max": "5.00"}"#, token: c.child.token)
            let before = try await Self.effective(h, c, agent: c.grandchild.id, token: nil)
            #expect(before.perCallMax?.amountMicros == 5_000_000)

            _ = try await Self.set(h, c, agent: c.root.id, #"{"per_call_max": "2.00"}"#, token: c.tenant.adminToken)
            let after = try await Self.effective(h, c, agent: c.grandchild.id, token: nil)
            #expect(after.perCallMax?.amountMicros == 2_000_000)
            #expect(after.perCallMax?.source == RuleSourceView(level: .ancestor, version: 1, agentID: c.root.id))
            #expect(after.etag != before.etag)
            #expect(after.policyEpoch > before.policyEpoch)
        }
    }

    @Test func onlyTheTenantAdminAndStrictAncestorsWriteAnOverride() async throws {
        try await withPolicy("subagent_access") { h in
            let c = try await Self.chain(h)
            let globex = try await h.makeTenant("globex")
            let outsider = try await h.makeAgent("outsider", in: globex)
            let document = #"{"per_call_max": "1.00"}"#

            // Allowed: the parent, the grandparent, the tenant admin, and service `identity`.
            _ = try await Self.set(h, c, agent: c.grandchild.id, document, token: c.child.token)
            _ = try await Self.set(h, c, agent: c.grandchild.id, document, token: c.root.token)
            _ = try await Self.set(h, c, agent: c.child.id, document, token: c.root.token)
            _ = try await Self.set(h, c, agent: c.grandchild.id, document, token: c.tenant.adminToken)
            let identity = try TestRPC.client(port: h.policyPort, certificate: "identity", logger: h.logger)
            defer { identity.close() }
            let byIdentity = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(tenantID: c.tenant.id, agentID: c.grandchild.id, documentJSON: document), via: identity)
            #expect(byIdentity.author == "service:identity")

            // Refused: an agent on itself (PERMISSION_DENIED); its parent, a sibling, a sibling's
            // child, another tenant's agent (NOT_FOUND, as for an agent that does not exist).
            let refusals: [(String, String, StatusCode)] = [
                (c.grandchild.id, c.grandchild.token, .permissionDenied),
                (c.child.id, c.child.token, .permissionDenied),
                (c.child.id, c.grandchild.token, .notFound),
                (c.root.id, c.grandchild.token, .notFound),
                (c.root.id, c.child.token, .notFound),
                (c.grandchild.id, c.sibling.token, .notFound),
                (c.sibling.id, c.child.token, .notFound),
                (c.grandchild.id, outsider.token, .notFound),
                (c.grandchild.id, globex.adminToken, .notFound),
                (c.grandchild.id, c.tenant.financeToken, .permissionDenied),
            ]
            for (target, token, code) in refusals {
                let refused = await rpcError { _ = try await Self.set(h, c, agent: target, document, token: token) }
                #expect(refused?.code == code, "setting \(target)'s override")
            }
            let byWallet = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setAgentPolicy,
                    SetAgentPolicyRequest(tenantID: c.tenant.id, agentID: c.grandchild.id, documentJSON: document), via: h.wallet)
            }
            #expect(byWallet?.code == .permissionDenied)
            let versions = try await h.call(
                PolicyMethods.listPolicyVersions,
                ListPolicyVersionsRequest(tenantID: c.tenant.id, agentID: c.grandchild.id), token: c.tenant.adminToken)
            #expect(versions.versions.count == 4)
        }
    }

    @Test func onlyStrictAncestorsAmongAgentsReadADescendantsPolicy() async throws {
        try await withPolicy("subagent_reads") { h in
            let c = try await Self.chain(h)
            _ = try await Self.set(h, c, agent: c.grandchild.id, #"{"per_call_max": "1.00"}"#, token: c.child.token)
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions,
                ListPolicyVersionsRequest(tenantID: c.tenant.id, agentID: c.grandchild.id), token: c.root.token)
            #expect(listed.versions.map(\.version) == [1])
            _ = try await Self.effective(h, c, agent: c.grandchild.id, token: c.child.token)

            for token in [c.sibling.token, c.grandchild.token] {
                let hidden = await rpcError { _ = try await Self.effective(h, c, agent: c.child.id, token: token) }
                #expect(hidden?.code == .notFound)
            }
            let siblingList = await rpcError {
                _ = try await h.call(
                    PolicyMethods.listPolicyVersions,
                    ListPolicyVersionsRequest(tenantID: c.tenant.id, agentID: c.grandchild.id), token: c.sibling.token)
            }
            #expect(siblingList?.code == .notFound)
            let ownList = await rpcError {
                _ = try await h.call(
                    PolicyMethods.listPolicyVersions,
                    ListPolicyVersionsRequest(tenantID: c.tenant.id, agentID: c.grandchild.id), token: c.grandchild.token)
            }
            #expect(ownList?.code == .permissionDenied)
            let tenantList = await rpcError {
                _ = try await h.call(
                    PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: c.tenant.id), token: c.root.token)
            }
            #expect(tenantList?.code == .permissionDenied)
        }
    }
}
