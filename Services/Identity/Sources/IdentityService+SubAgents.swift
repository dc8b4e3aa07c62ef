import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Creates a sub-agent of `parent_agent_id` (its tenant's admin, or the
    /// parent agent itself) and returns its first secret once.
    ///
    /// (a) One transaction locks the parent row, refuses a parent that is not
    /// active (`parent_inactive`), a child deeper than the depth limit
    /// (`depth_limit`) or a parent with as many live children as the child
    /// limit (`child_limit`), and inserts the child (ancestors = the parent's
    /// ancestors and the parent) with its credential. (b) A `policy_json`
    /// override is stored through Policy `SetAgentPolicy` (which refuses one
    /// looser than the parent's effective policy). (c) A budget is moved from
    /// the parent's available balance by Wallet `Allocate` (idempotency key
    /// `create-sub:<child>`). When (b) or (c) is refused the child's rows are
    /// deleted (its secret was never shown) and the peer's error is answered:
    /// a refused call leaves no agent behind. (d) The child's primary address
    /// comes from Email `CreateAlias` (created on first use); when Email
    /// cannot answer, the child stands and the address is left "" (it is made
    /// on the child's first mail call).
    func createSubAgent(_ request: CreateSubAgentRequest, principal: Principal) async throws -> CreateSubAgentResponse {
        let (tenantID, parentID) = try agentIDs(request.tenantID, request.parentAgentID)
        try Self.check { () throws(AuthError) in try principal.requireAgent(parentID, inTenant: tenantID) }
        let handle = try Validation.handle(request.handle, field: "handle")
        let displayName = try Validation.text(request.displayName, field: "display_name", required: false)
        let metadata = IdentityRows.encodeMetadata(try Validation.metadata(request.metadata))
        guard request.budgetMicros >= 0 else {
            throw RPCError.invalid("budget_micros", "must not be negative", reason: "amount_invalid")
        }
        guard request.policyJSON.utf8.count <= 64 * 1024 else {
            throw RPCError.invalid("policy_json", "is longer than 65536 bytes")
        }
        let secret = try Self.newSecret(.agentKey)
        let childID = Self.newID(), digest = secret.digest
        let maximumDepth = settings.maximumAgentDepth, maximumChildren = settings.maximumChildren
        let agent: Agent
        do {
            agent = try await pool.withTransaction { connection -> Agent in
                let parents = try connection.query(
                    "SELECT status, depth FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE",
                    [tenantID, parentID])
                guard let parent = parents.first else { throw RPCError.notFound("agent") }
                guard try parent.decode(String.self, at: 0) == "active" else {
                    throw RPCError(.failedPrecondition, "the parent agent is not active", reason: "parent_inactive")
                }
                let depth = try parent.decode(Int.self, at: 1) + 1
                guard depth <= maximumDepth else {
                    throw RPCError(
                        .failedPrecondition, "a sub-agent would be at depth \(depth); the limit is \(maximumDepth)",
                        reason: "depth_limit")
                }
                let children = try connection.query(
                    """
                    SELECT count(*) FROM identity.agents
                     WHERE tenant_id = $1 AND parent_agent_id = $2 AND status <> 'revoked'
                    """, [tenantID, parentID])[0].decode(Int.self, at: 0)
                guard children < maximumChildren else {
                    throw RPCError(
                        .failedPrecondition, "the parent already has \(children) live sub-agents; the limit is \(maximumChildren)",
                        reason: "child_limit")
                }
                let rows = try connection.query(
                    """
                    INSERT INTO identity.agents (tenant_id, agent_id, handle, display_name, metadata, parent_agent_id, ancestors, depth)
                    SELECT $1, $2, $3, $4, $5::jsonb, p.agent_id, p.ancestors || p.agent_id, p.depth + 1
                      FROM identity.agents p WHERE p.tenant_id = $1 AND p.agent_id = $6
                    RETURNING \(IdentityRows.agentColumns)
                    """, [tenantID, childID, handle, displayName, metadata, parentID])
                _ = try connection.query(
                    "INSERT INTO identity.credentials (digest, role, subject_id, tenant_id) VALUES ($1, 'agent', $2, $3)",
                    [digest, childID, tenantID])
                return try IdentityRows.agent(rows[0])
            }
        } catch let error as PostgresError where error.violates("agents_handle_unique") {
            throw RPCError.alreadyExists("agent handle \"\(handle)\" already exists", reason: "handle_taken")
        }
        do {
            if !request.policyJSON.isEmpty {
                var policy = SetAgentPolicyRequest()
                policy.tenantID = tenantID
                policy.agentID = childID
                policy.documentJSON = request.policyJSON
                _ = try await self.policy.call(
                    PolicyMethods.setAgentPolicy, policy, metadata: ["idempotency-key": "create-sub:\(childID)"],
                    timeout: .seconds(5))
            }
            if request.budgetMicros > 0 {
                var allocate = AllocateRequest()
                allocate.tenantID = tenantID
                allocate.agentID = childID
                allocate.fromAgentID = parentID
                allocate.amountMicros = request.budgetMicros
                allocate.description = "budget of sub-agent \(handle)"
                // Repeated under its key while the Wallet cannot answer, so a move it made is never left behind.
                var attempt = 1
                while true {
                    do {
                        _ = try await wallet.call(
                            WalletMethods.allocate, allocate, metadata: ["idempotency-key": "create-sub:\(childID)"],
                            timeout: .seconds(5))
                        break
                    } catch where attempt < 3 && [.unavailable, .deadlineExceeded].contains(error.code) {
                        attempt += 1
                        try? await Task.sleep(for: .milliseconds(200 * attempt))
                    }
                }
            }
        } catch {
            do {
                try await deleteUnannouncedAgent(tenantID: tenantID, agentID: childID)
            } catch let cleanup {
                logger.error("a refused sub-agent was not deleted", ["agent_id": childID, "error": "\(cleanup)"])
            }
            throw error
        }
        logger.notice("sub-agent created", ["tenant_id": tenantID, "parent_agent_id": parentID, "agent_id": childID])
        var response = CreateSubAgentResponse()
        response.agent = agent
        response.secret = secret.exposedValue
        response.budgetMicros = request.budgetMicros
        do {
            var alias = CreateAliasRequest()
            alias.tenantID = tenantID
            alias.agentID = childID
            alias.kind = .primary
            response.emailAddress = try await email.call(EmailAliasMethods.createAlias, alias, timeout: .seconds(5)).address
        } catch {
            logger.warning("a sub-agent's address is not made yet", ["agent_id": childID, "error": "\(error)"])
        }
        return response
    }

    /// Deletes an agent whose creation was refused after its rows were
    /// committed (nothing was shown or recorded for it yet).
    private func deleteUnannouncedAgent(tenantID: String, agentID: String) async throws {
        try await pool.withTransaction { connection in
            _ = try connection.query(
                "DELETE FROM identity.credentials WHERE tenant_id = $1 AND subject_id = $2", [tenantID, agentID])
            _ = try connection.query("DELETE FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2", [tenantID, agentID])
        }
    }

    /// Passes when `principal` reaches agent `agentID` of `tenantID` through
    /// the tree: an agent principal reaches its descendants (and itself when
    /// `includingSelf`); every other principal is checked by `requireAgent`.
    /// Anyone else gets NOT_FOUND, as for another tenant's agent.
    func requireReach(
        _ principal: Principal, agentID: String, tenantID: String, includingSelf: Bool
    ) async throws {
        guard case .agent(let tenant, let own) = principal else {
            try Self.check { () throws(AuthError) in try principal.requireAgent(agentID, inTenant: tenantID) }
            return
        }
        guard tenant == tenantID else { throw RPCError.notFound("agent") }
        if own == agentID {
            guard includingSelf else { throw RPCError.notFound("agent") }
            return
        }
        let descendant = try await pool.withConnection { connection -> Bool in
            try !connection.query(
                "SELECT 1 FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2 AND $3::uuid = ANY(ancestors)",
                [tenantID, agentID, own]
            ).isEmpty
        }
        guard descendant else { throw RPCError.notFound("agent") }
    }

    /// One page of the subtree of `root` (the root itself, then its
    /// descendants), parents before children: ordered by depth, creation and id.
    func listSubtree(
        tenantID: String, root: String, status: String?, pageToken: String, size: Int
    ) async throws -> ListAgentsResponse {
        var afterDepth = -1, afterCreated: Int64 = 0, afterID = ""
        if let token = try PageToken.parse(pageToken) {
            let parts = token.after.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let depth = Int(parts[0]), let created = Int64(parts[1]) else {
                throw RPCError.invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")
            }
            (afterDepth, afterCreated, afterID) = (depth, created, String(parts[2]))
        }
        let after: (depth: Int, createdUs: Int64, id: String) = (afterDepth, afterCreated, afterID)
        let agents = try await pool.withConnection { connection -> [Agent] in
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.agentColumns) FROM identity.agents
                 WHERE tenant_id = $1 AND (agent_id = $2 OR $2::uuid = ANY(ancestors))
                   AND ($3::text IS NULL OR status = $3::text)
                   AND (depth, identity.to_us(created_at), agent_id::text) > ($4, $5, $6)
                 ORDER BY depth, created_at, agent_id::text LIMIT $7
                """, [tenantID, root, status, after.depth, after.createdUs, after.id, size + 1])
            return try rows.map(IdentityRows.agent)
        }
        var response = ListAgentsResponse()
        response.agents = Array(agents.prefix(size))
        if agents.count > size, let last = response.agents.last {
            response.nextPageToken = PageToken(after: "\(last.depth):\(last.createdAtUs):\(last.id)").text
        }
        return response
    }
}
