import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity agents")
    struct AgentTests {
        @Test func adminCreatesAgentsThatGetListAndAuthenticate() async throws {
            try await withIdentity("agents") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let created = try await identity.call(
                    IdentityMethods.createAgent,
                    CreateAgentRequest(tenantID: acme.tenant.id, handle: "research-bot", displayName: "Research", metadata: ["team": "r&d", "cost-center": "42"]),
                    token: acme.adminToken)
                #expect(created.secret.hasPrefix("purser_ak_"))
                #expect(created.agent.handle == "research-bot")
                #expect(created.agent.status == .active)
                #expect(created.agent.metadata == ["team": "r&d", "cost-center": "42"])

                let agentToken = try await identity.token(created.secret)
                let auth = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: created.secret))
                #expect(auth.role == "agent")
                #expect(auth.subject == created.agent.id)
                #expect(auth.tenantID == acme.tenant.id)

                let request = GetAgentRequest(tenantID: acme.tenant.id, agentID: created.agent.id)
                #expect(try await identity.call(IdentityMethods.getAgent, request, token: agentToken) == created.agent)
                #expect(try await identity.call(IdentityMethods.getAgent, request, token: acme.financeToken) == created.agent)

                for handle in ["alpha", "bravo", "charlie"] { _ = try await identity.makeAgent(handle, in: acme) }
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: acme.tenant.id, agentID: created.agent.id), token: acme.adminToken)

                var handles: [String] = []
                var page = ListAgentsRequest(tenantID: acme.tenant.id, pageSize: 3)
                repeat {
                    let response = try await identity.call(IdentityMethods.listAgents, page, token: acme.financeToken)
                    handles += response.agents.map(\.handle)
                    page.pageToken = response.nextPageToken
                } while !page.pageToken.isEmpty
                #expect(handles == ["alpha", "bravo", "charlie", "research-bot"])

                let active = try await identity.call(
                    IdentityMethods.listAgents, ListAgentsRequest(tenantID: acme.tenant.id, status: .active), token: acme.adminToken)
                #expect(active.agents.map(\.handle) == ["alpha", "bravo", "charlie"])
                let suspended = try await identity.call(
                    IdentityMethods.listAgents, ListAgentsRequest(tenantID: acme.tenant.id, status: .suspended), token: acme.adminToken)
                #expect(suspended.agents.map(\.handle) == ["research-bot"])
            }
        }

        @Test func duplicateHandleInOneTenantIsAlreadyExistsButOtherTenantsMayReuseIt() async throws {
            try await withIdentity("agent_dup") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                _ = try await identity.makeAgent("shopper", in: acme)
                let error = await rpcError { _ = try await identity.makeAgent("shopper", in: acme) }
                #expect(error?.code == .alreadyExists)
                #expect(error?.reason == "handle_taken")
                _ = try await identity.makeAgent("shopper", in: beta)
            }
        }

        @Test func invalidHandlesAreInvalidArgumentNamingTheField() async throws {
            try await withIdentity("agent_handle") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                for handle in ["A", "-lead", "Upper", "under_score", "x", String(repeating: "h", count: 64), "spa ce"] {
                    let error = await rpcError { _ = try await identity.makeAgent(handle, in: acme) }
                    #expect(error?.code == .invalidArgument, "handle \(handle)")
                    #expect(error?.reason == "handle_invalid")
                    #expect(error?.message.hasPrefix("handle:") == true)
                }
            }
        }

        @Test func suspendedAgentsCannotAuthenticateUntilResumed() async throws {
            try await withIdentity("agent_suspend") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let ids = SuspendAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id)
                let suspended = try await identity.call(IdentityMethods.suspendAgent, ids, token: acme.adminToken)
                #expect(suspended.status == .suspended)
                #expect(try await identity.call(IdentityMethods.suspendAgent, ids, token: acme.adminToken).status == .suspended)
                let refused = await rpcError { _ = try await identity.token(agent.secret) }
                #expect(refused?.code == .unauthenticated)
                #expect(refused?.reason == "agent_suspended")
                let resumed = try await identity.call(IdentityMethods.resumeAgent, ids, token: acme.adminToken)
                #expect(resumed.status == .active)
                _ = try await identity.token(agent.secret)
            }
        }

        @Test func rotatedSecretReplacesTheOldOneNowOrAfterTheGracePeriod() async throws {
            try await withIdentity("agent_rotate") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let agentToken = try await identity.token(agent.secret)

                let immediate = try await identity.call(
                    IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: acme.tenant.id, agentID: agent.agent.id),
                    token: agentToken)
                #expect(immediate.secret.hasPrefix("purser_ak_"))
                let old = await rpcError { _ = try await identity.token(agent.secret) }
                #expect(old?.reason == "invalid_credentials")
                _ = try await identity.token(immediate.secret)

                let graceful = try await identity.call(
                    IdentityMethods.rotateAgentSecret,
                    RotateAgentSecretRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, gracePeriodUs: 3_000_000),
                    token: acme.adminToken)
                // Both secrets work during the grace period (3 s, far from these two calls)…
                _ = try await identity.token(immediate.secret)
                _ = try await identity.token(graceful.secret)
                // …and the previous one stops working once it is over: waited for, with a deadline, not slept.
                let previous = immediate.secret
                try await waitUntil("the previous secret's grace period to end", timeout: .seconds(30), interval: .milliseconds(100)) {
                    await rpcError { _ = try await identity.token(previous) } != nil
                }
                let afterGrace = await rpcError { _ = try await identity.token(immediate.secret) }
                #expect(afterGrace?.reason == "credentials_expired")
                _ = try await identity.token(graceful.secret)
            }
        }

        @Test func revokeRequiresAReasonAndIsTerminal() async throws {
            try await withIdentity("agent_revoke") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let noReason = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: ""),
                        token: acme.adminToken)
                }
                #expect(noReason?.code == .invalidArgument)
                #expect(noReason?.reason == "invalid_argument")
                #expect(noReason?.message.hasPrefix("reason:") == true)

                let revoked = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "compromised"),
                    token: acme.adminToken)
                #expect(revoked.agent.status == .revoked)
                #expect(revoked.agent.revokeReason == "compromised")
                #expect(revoked.agent.revokedAtUs > 0)
                #expect(revoked.acknowledged.isEmpty && revoked.pending.isEmpty)

                let refused = await rpcError { _ = try await identity.token(agent.secret) }
                #expect(refused?.reason == "agent_revoked")
                let ids = ResumeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id)
                let resume = await rpcError { _ = try await identity.call(IdentityMethods.resumeAgent, ids, token: acme.adminToken) }
                #expect(resume?.code == .failedPrecondition)
                #expect(resume?.reason == "agent_revoked")
                let rotate = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: acme.tenant.id, agentID: agent.agent.id),
                        token: acme.adminToken)
                }
                #expect(rotate?.reason == "agent_revoked")
                let twice = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "again"),
                    token: acme.adminToken)
                #expect(twice.agent.revokeReason == "compromised")
            }
        }
    }
}
