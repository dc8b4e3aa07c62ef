import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity sub-agents: creation, the tree, reach and cascade revocation")
    struct SubAgentTests {
        static func request(_ tenantID: String, parent: String, handle: String, budget: Int64 = 0) -> CreateSubAgentRequest {
            var request = CreateSubAgentRequest()
            request.tenantID = tenantID
            request.parentAgentID = parent
            request.handle = handle
            request.budgetMicros = budget
            return request
        }

        /// A sub-agent of `parent` made with `token` (budget 0, no policy: no peer is needed).
        static func sub(
            _ identity: IdentityHarness, _ handle: String, of parent: String, in fixture: IdentityHarness.TenantFixture, token: String
        ) async throws -> CreateSubAgentResponse {
            try await identity.call(
                IdentityMethods.createSubAgent, request(fixture.tenant.id, parent: parent, handle: handle), token: token)
        }

        @Test func theParentOrItsAdminCreatesSubAgentsThatRecordTheirAncestry() async throws {
            try await withIdentity("sub_create") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let root = try await identity.makeAgent("root", in: acme)
                let rootToken = try await identity.token(root.secret)
                let child = try await Self.sub(identity, "child", of: root.agent.id, in: acme, token: rootToken)
                #expect(child.secret.hasPrefix("purser_ak_"))
                #expect(child.agent.parentAgentID == root.agent.id)
                #expect(child.agent.ancestorIDs == [root.agent.id] && child.agent.depth == 1)
                let grandchild = try await Self.sub(identity, "grandchild", of: child.agent.id, in: acme, token: acme.adminToken)
                #expect(grandchild.agent.ancestorIDs == [root.agent.id, child.agent.id] && grandchild.agent.depth == 2)
                // The child authenticates with its own secret, as itself.
                let auth = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: child.secret))
                #expect(auth.subject == child.agent.id && auth.role == "agent")

                // A sibling, a descendant and another tenant's admin cannot create under an agent they do not own.
                let sibling = try await identity.makeAgent("sibling", in: acme)
                let siblingToken = try await identity.token(sibling.secret)
                let childToken = try await identity.token(child.secret)
                for token in [siblingToken, childToken, beta.adminToken] {
                    let refused = await rpcError { _ = try await Self.sub(identity, "intruder", of: root.agent.id, in: acme, token: token) }
                    #expect(refused?.code == .notFound)
                }
                let finance = await rpcError { _ = try await Self.sub(identity, "intruder", of: root.agent.id, in: acme, token: acme.financeToken) }
                #expect(finance?.code == .permissionDenied)
                let taken = await rpcError { _ = try await Self.sub(identity, "child", of: root.agent.id, in: acme, token: rootToken) }
                #expect(taken?.reason == "handle_taken")
                let negative = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createSubAgent,
                        Self.request(acme.tenant.id, parent: root.agent.id, handle: "neg", budget: -1),
                        token: rootToken)
                }
                #expect(negative?.code == .invalidArgument)
                #expect(try await identity.query("SELECT count(*)::text FROM identity.agents WHERE handle = 'intruder' OR handle = 'neg'") == ["0"])
            }
        }

        @Test func aParentThatIsNotActiveTooDeepOrFullIsRefusedAndLeavesNoAgent() async throws {
            try await withIdentity("sub_refusals") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let root = try await identity.makeAgent("root", in: acme)
                // Depth: 1…4 are allowed (the default limit), a fifth level is not.
                var parent = root.agent.id
                for level in 1...4 {
                    parent = try await Self.sub(identity, "level-\(level)", of: parent, in: acme, token: acme.adminToken).agent.id
                }
                let deep = await rpcError { _ = try await Self.sub(identity, "level-5", of: parent, in: acme, token: acme.adminToken) }
                #expect(deep?.code == .failedPrecondition && deep?.reason == "depth_limit")
                // Children: 32 live ones at most; a revoked child frees its place.
                let wide = try await identity.makeAgent("wide", in: acme)
                var children: [String] = []
                for index in 0..<32 {
                    children.append(try await Self.sub(identity, "kid-\(index)", of: wide.agent.id, in: acme, token: acme.adminToken).agent.id)
                }
                let full = await rpcError { _ = try await Self.sub(identity, "kid-32", of: wide.agent.id, in: acme, token: acme.adminToken) }
                #expect(full?.code == .failedPrecondition && full?.reason == "child_limit")
                _ = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: children[0], reason: "done"),
                    token: acme.adminToken)
                _ = try await Self.sub(identity, "kid-32", of: wide.agent.id, in: acme, token: acme.adminToken)
                // A suspended or revoked parent has no new children.
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: acme.tenant.id, agentID: root.agent.id), token: acme.adminToken)
                let suspended = await rpcError { _ = try await Self.sub(identity, "late", of: root.agent.id, in: acme, token: acme.adminToken) }
                #expect(suspended?.code == .failedPrecondition && suspended?.reason == "parent_inactive")
                let revoked = await rpcError { _ = try await Self.sub(identity, "late", of: children[0], in: acme, token: acme.adminToken) }
                #expect(revoked?.reason == "parent_inactive")
                #expect(try await identity.query(
                    "SELECT count(*)::text FROM identity.agents WHERE handle IN ('level-5', 'late') OR handle = 'kid-33'") == ["0"])
            }
        }

        @Test func anAgentReachesItsDescendantsButNeverItselfItsAncestorsOrItsSiblingsForChanges() async throws {
            try await withIdentity("sub_reach") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let root = try await identity.makeAgent("root", in: acme)
                let rootToken = try await identity.token(root.secret)
                let a = try await Self.sub(identity, "alpha", of: root.agent.id, in: acme, token: rootToken)
                let b = try await Self.sub(identity, "bravo", of: root.agent.id, in: acme, token: rootToken)
                let aToken = try await identity.token(a.secret), bToken = try await identity.token(b.secret)
                let a1 = try await Self.sub(identity, "alpha-one", of: a.agent.id, in: acme, token: aToken)
                let a1Token = try await identity.token(a1.secret)
                let tenant = acme.tenant.id

                // Listing: parents before children; an agent sees its own subtree or a descendant's, nothing wider.
                func subtree(_ root: String, _ token: String) async throws -> [String] {
                    var handles: [String] = []
                    var request = ListAgentsRequest(tenantID: tenant, pageSize: 2)
                    request.subtreeOf = root
                    repeat {
                        let page = try await identity.call(IdentityMethods.listAgents, request, token: token)
                        handles += page.agents.map(\.handle)
                        request.pageToken = page.nextPageToken
                    } while !request.pageToken.isEmpty
                    return handles
                }
                #expect(try await subtree(root.agent.id, acme.adminToken) == ["root", "alpha", "bravo", "alpha-one"])
                #expect(try await subtree(root.agent.id, rootToken) == ["root", "alpha", "bravo", "alpha-one"])
                #expect(try await subtree("", aToken) == ["alpha", "alpha-one"])
                #expect(try await subtree(a1.agent.id, aToken) == ["alpha-one"])
                for (target, token) in [(root.agent.id, aToken), (a.agent.id, bToken), (a.agent.id, a1Token)] {
                    #expect(await rpcError { _ = try await subtree(target, token) }?.code == .notFound)
                }
                #expect(await rpcError { _ = try await subtree(root.agent.id, beta.adminToken) }?.code == .notFound)

                // Reading: itself and its descendants.
                #expect(try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant, agentID: a1.agent.id), token: rootToken).handle == "alpha-one")
                #expect(await rpcError { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant, agentID: a.agent.id), token: a1Token) }?.code == .notFound)
                #expect(await rpcError { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenant, agentID: a1.agent.id), token: bToken) }?.code == .notFound)

                // Changing: strict descendants only.
                let suspended = try await identity.call(
                    IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: tenant, agentID: a1.agent.id), token: aToken)
                #expect(suspended.status == .suspended)
                _ = try await identity.call(IdentityMethods.resumeAgent, ResumeAgentRequest(tenantID: tenant, agentID: a1.agent.id), token: rootToken)
                for (target, token) in [(a.agent.id, aToken), (a.agent.id, a1Token), (a1.agent.id, bToken)] {
                    let refused = await rpcError {
                        _ = try await identity.call(IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: tenant, agentID: target), token: token)
                    }
                    #expect(refused?.code == .notFound)
                    let revoke = await rpcError {
                        _ = try await identity.call(
                            IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: tenant, agentID: target, reason: "x"), token: token)
                    }
                    #expect(revoke?.code == .notFound)
                }
                #expect(try await identity.query("SELECT count(*)::text FROM identity.agents WHERE status <> 'active'") == ["0"])
            }
        }

        @Test func revokingAnAgentRevokesItsWholeSubtreeInOneTransaction() async throws {
            try await withIdentity("sub_cascade") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let root = try await identity.makeAgent("root", in: acme)
                let rootToken = try await identity.token(root.secret)
                let a = try await Self.sub(identity, "alpha", of: root.agent.id, in: acme, token: rootToken)
                let b = try await Self.sub(identity, "bravo", of: root.agent.id, in: acme, token: rootToken)
                let a1 = try await Self.sub(identity, "alpha-one", of: a.agent.id, in: acme, token: acme.adminToken)
                let a11 = try await Self.sub(identity, "alpha-one-one", of: a1.agent.id, in: acme, token: acme.adminToken)
                let revoked = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: a.agent.id, reason: "compromised"),
                    token: rootToken)
                #expect(revoked.agent.status == .revoked)
                #expect(revoked.revokedDescendantIDs == [a1.agent.id, a11.agent.id])
                let statuses = try await identity.query(
                    "SELECT handle || '=' || status FROM identity.agents WHERE tenant_id = $1 ORDER BY depth, handle", [acme.tenant.id])
                #expect(statuses == ["root=active", "alpha=revoked", "bravo=active", "alpha-one=revoked", "alpha-one-one=revoked"])
                #expect(try await identity.query("SELECT count(*)::text FROM identity.revocations") == ["3"])
                #expect(try await identity.query(
                    "SELECT count(*)::text FROM identity.events WHERE type = 'agent.revoked'") == ["3"])
                // The revoked descendants' secrets no longer authenticate; the sibling's still do.
                for secret in [a1.secret, a11.secret] {
                    #expect(await rpcError { _ = try await identity.token(secret) }?.code == .unauthenticated)
                }
                _ = try await identity.token(b.secret)
                // Revoking again changes nothing and names the same descendants.
                let again = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: a.agent.id, reason: "again"),
                    token: acme.adminToken)
                #expect(again.revokedDescendantIDs == [a1.agent.id, a11.agent.id] && again.agent.revokeReason == "compromised")
                #expect(try await identity.query("SELECT count(*)::text FROM identity.revocations") == ["3"])
            }
        }
    }
}
