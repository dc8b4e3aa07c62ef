import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import Synchronization
import Testing

/// Sub-agents across the real executables: CreateSubAgent funds a child from
/// its parent through the Wallet, a refused budget leaves no agent, and
/// revoking a parent cuts its whole subtree at once, every unspent micro
/// returning to the parent's own parent.
@Suite(.serialized) struct SubAgentCascadeSystemTests {
    struct Calls: Sendable {
        let identity: RPCClient
        let wallet: RPCClient
        let world: Deployment.World

        func bearer(_ token: String, key: Bool = false) -> Metadata {
            var metadata: Metadata = ["authorization": "Bearer \(token)"]
            if key { metadata["idempotency-key"] = UUID().uuidString }
            return metadata
        }

        func token(_ secret: String) async throws -> String {
            try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: ""), timeout: .seconds(20)).token
        }

        /// A sub-agent of `parent` created by `token` with `budget` micros; its id and token.
        func sub(
            _ handle: String, of parent: String, budget: Int64, token: String, policyJSON: String = ""
        ) async throws -> (id: String, token: String) {
            var request = CreateSubAgentRequest()
            request.tenantID = world.tenantID
            request.parentAgentID = parent
            request.handle = handle
            request.budgetMicros = budget
            request.policyJSON = policyJSON
            let created = try await identity.call(
                IdentityMethods.createSubAgent, request, metadata: bearer(token), timeout: .seconds(20))
            #expect(created.budgetMicros == budget && created.agent.parentAgentID == parent)
            return (created.agent.id, try await self.token(created.secret))
        }

        /// The agent's balance as its tenant's admin reads it.
        func balance(_ agent: String) async throws -> WalletBalance {
            var request = GetBalanceRequest()
            request.agentID = agent
            return try await wallet.call(WalletMethods.getBalance, request, metadata: bearer(world.adminToken), timeout: .seconds(20))
        }

        func authorize(_ token: String, amount: Int64) async throws(RPCError) {
            var request = AuthorizeRequest()
            request.amountMicros = amount
            request.providerID = world.providerID
            request.category = "inference"
            _ = try await wallet.call(WalletMethods.authorize, request, metadata: bearer(token, key: true), timeout: .seconds(20))
        }
    }

    @Test func revokingAParentCutsItsSubtreeAtOnceAndReturnsEveryUnspentMicro() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            try await cascade(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    func cascade(_ deployment: Deployment) async throws {
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
        let identity = try deployment.client("identity"), wallet = try deployment.client("wallet")
        defer {
            identity.close()
            wallet.close()
        }
        let calls = Calls(identity: identity, wallet: wallet, world: world)
        let grandparent = world.agent

        // A budget beyond the parent's available balance is refused and leaves no agent behind.
        let refused = await rpcFailure { _ = try await calls.sub("too-rich", of: grandparent.id, budget: 1_000_001, token: grandparent.token) }
        #expect(refused?.reason == "insufficient_funds", "\(String(describing: refused))")
        var listing = ListAgentsRequest(tenantID: world.tenantID)
        listing.subtreeOf = grandparent.id
        let afterRefusal = try await identity.call(IdentityMethods.listAgents, listing, metadata: calls.bearer(world.adminToken), timeout: .seconds(20))
        #expect(afterRefusal.agents.map(\.id) == [grandparent.id])
        #expect(try await calls.balance(grandparent.id).availableMicros == 1_000_000)

        // The parent and a subtree three levels deep below it, each funded by its own parent.
        let parent = try await calls.sub("parent", of: grandparent.id, budget: 600_000, token: grandparent.token)
        let left = try await calls.sub("left", of: parent.id, budget: 200_000, token: parent.token)
        let right = try await calls.sub("right", of: parent.id, budget: 100_000, token: parent.token)
        let leftLeaf = try await calls.sub("left-leaf", of: left.id, budget: 50_000, token: left.token)
        let deepest = try await calls.sub("deepest", of: leftLeaf.id, budget: 20_000, token: leftLeaf.token)
        let subtree = [parent, left, right, leftLeaf, deepest]
        #expect(try await calls.balance(grandparent.id).availableMicros == 400_000)
        #expect(try await calls.balance(leftLeaf.id).availableMicros == 30_000)
        // A parent tops up its child from its own balance, and only from its own.
        var topUp = AllocateRequest()
        topUp.agentID = right.id
        topUp.fromAgentID = parent.id
        topUp.amountMicros = 5_000
        _ = try await wallet.call(WalletMethods.allocate, topUp, metadata: calls.bearer(parent.token, key: true), timeout: .seconds(20))
        let sibling = await rpcFailure {
            var request = AllocateRequest()
            request.agentID = right.id
            request.fromAgentID = left.id
            request.amountMicros = 1
            _ = try await wallet.call(WalletMethods.allocate, request, metadata: calls.bearer(left.token, key: true), timeout: .seconds(20))
        }
        #expect(sibling?.code == .notFound)

        // Every member of the subtree authorizes in a loop while the grandparent revokes the parent.
        let revokedAt = Instant()
        let approvals = try await withThrowingTaskGroup(of: (before: Int, after: Int).self) { group in
            for member in subtree {
                group.addTask {
                    var before = 0, after = 0
                    while true {
                        let started = ContinuousClock.now
                        let cut = revokedAt.value.withLock { $0 }
                        if let cut, started > cut + .milliseconds(300) { break }
                        do {
                            try await calls.authorize(member.token, amount: 1_000)
                            if let cut, started > cut { after += 1 } else { before += 1 }
                        } catch {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                    return (before, after)
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let revoke = try await identity.call(
                IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: world.tenantID, agentID: parent.id, reason: "compromised"),
                metadata: calls.bearer(grandparent.token), timeout: .seconds(30))
            revokedAt.value.withLock { $0 = ContinuousClock.now }
            #expect(Set(revoke.revokedDescendantIDs) == Set([left.id, right.id, leftLeaf.id, deepest.id]))
            #expect(revoke.pending.isEmpty, "every subscriber acknowledged before the call returned")
            return try await group.reduce(into: [(before: Int, after: Int)]()) { $0.append($1) }
        }
        #expect(approvals.map(\.after).reduce(0, +) == 0, "approvals after the revocation returned: \(approvals)")
        #expect(approvals.map(\.before).reduce(0, +) > 0, "the loops ran before the revocation: \(approvals)")
        // Holds voided, nothing captured: every micro of the subtree is back at the grandparent.
        for member in subtree {
            let balance = try await calls.balance(member.id)
            #expect(balance.balanceMicros == 0 && balance.heldMicros == 0 && balance.status == .revoked, "\(balance)")
        }
        #expect(try await calls.balance(grandparent.id).availableMicros == 1_000_000)
        var audit = AuditLedgerRequest()
        audit.tenantID = world.tenantID
        let report = try await wallet.call(WalletMethods.auditLedger, audit, metadata: calls.bearer(world.financeToken), timeout: .seconds(30))
        #expect(report.clean, "audit: \(report.discrepancies.map { "\($0.check) \($0.subject) \($0.expected) != \($0.actual)" })")

        // The figure: revoking a tree of 100 agents (a root, 9 children, 90 grandchildren), every notice delivered.
        let root = try await calls.sub("bench-root", of: grandparent.id, budget: 100_000, token: grandparent.token)
        for child in 0..<9 {
            let middle = try await calls.sub("bench-\(child)", of: root.id, budget: 10_000, token: root.token)
            for leaf in 0..<10 {
                _ = try await calls.sub("bench-\(child)-\(leaf)", of: middle.id, budget: 1_000, token: middle.token)
            }
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        let started = ContinuousClock.now
        let revoke = try await identity.call(
            IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: world.tenantID, agentID: root.id, reason: "bench"),
            metadata: calls.bearer(world.adminToken), timeout: .seconds(60))
        let elapsed = ContinuousClock.now - started
        #expect(revoke.revokedDescendantIDs.count == 99)
        #expect(try await calls.balance(grandparent.id).availableMicros == 1_000_000)
        print("cascade revocation: agents=100 elapsed=\(elapsed) load=\(load) pending=\(revoke.pending)")
    }

    @Test func aSubAgentsOverrideNarrowsItsParentsAndALooserOneLeavesNoAgent() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            try await overrides(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    /// CreateSubAgent sets the child's override through Policy before any
    /// credit moves: a looser one is refused with the field named and leaves
    /// neither an agent nor a moved micro; a narrower one binds the child.
    func overrides(_ deployment: Deployment) async throws {
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
        let identity = try deployment.client("identity"), wallet = try deployment.client("wallet")
        let policy = try deployment.client("policy")
        defer {
            identity.close()
            wallet.close()
            policy.close()
        }
        let calls = Calls(identity: identity, wallet: wallet, world: world)
        let parent = world.agent
        _ = try await policy.call(
            PolicyMethods.setAgentPolicy,
            SetAgentPolicyRequest(tenantID: world.tenantID, agentID: parent.id, documentJSON: #"{"per_call_max": "0.50"}"#),
            metadata: calls.bearer(world.adminToken), timeout: .seconds(20))

        let looser = await rpcFailure {
            _ = try await calls.sub("loose", of: parent.id, budget: 300_000, token: parent.token, policyJSON: #"{"per_call_max": "0.80"}"#)
        }
        #expect(looser?.code == .invalidArgument && looser?.reason == "policy_looser_than_parent", "\(String(describing: looser))")
        #expect(looser?.message.contains("per_call_max") == true, "the field is named: \(String(describing: looser))")
        var listing = ListAgentsRequest(tenantID: world.tenantID)
        listing.subtreeOf = parent.id
        let afterRefusal = try await identity.call(IdentityMethods.listAgents, listing, metadata: calls.bearer(world.adminToken), timeout: .seconds(20))
        #expect(afterRefusal.agents.map(\.id) == [parent.id])
        #expect(try await calls.balance(parent.id).availableMicros == 1_000_000)

        let child = try await calls.sub("narrow", of: parent.id, budget: 300_000, token: parent.token, policyJSON: #"{"per_call_max": "0.20"}"#)
        let overCap = await rpcFailure { try await calls.authorize(child.token, amount: 250_000) }
        #expect(overCap?.reason == "per_call_max_exceeded", "\(String(describing: overCap))")
        try await calls.authorize(child.token, amount: 150_000)
        let childBalance = try await calls.balance(child.id)
        #expect(childBalance.balanceMicros == 300_000 && childBalance.heldMicros == 150_000, "\(childBalance)")
        #expect(try await calls.balance(parent.id).availableMicros == 700_000)
    }

    /// When RevokeAgent returned, shared with the spending loops.
    final class Instant: Sendable {
        let value = Mutex<ContinuousClock.Instant?>(nil)
    }

    /// The RPC error `body` throws, or `nil`.
    func rpcFailure(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }
}
