import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Creates an agent in the caller's tenant (admin) and returns its first
    /// `purser_ak_` secret once. Handles are unique per tenant (ALREADY_EXISTS,
    /// `handle_taken`) and must match `[a-z0-9][a-z0-9-]{1,62}` (INVALID_ARGUMENT naming `handle`).
    func createAgent(_ request: CreateAgentRequest, principal: Principal) async throws -> CreateAgentResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let handle = try Validation.handle(request.handle, field: "handle")
        let displayName = try Validation.text(request.displayName, field: "display_name", required: false)
        let metadata = IdentityRows.encodeMetadata(try Validation.metadata(request.metadata))
        let secret = try Self.newSecret(.agentKey)
        let agentID = Self.newID(), digest = secret.digest
        let agent: Agent?
        do {
            agent = try await pool.withTransaction { connection -> Agent? in
                let tenant = try connection.query("SELECT 1 FROM identity.tenants WHERE tenant_id = $1", [tenantID])
                guard !tenant.isEmpty else { return nil }
                let rows = try connection.query(
                    """
                    INSERT INTO identity.agents (tenant_id, agent_id, handle, display_name, metadata)
                    VALUES ($1, $2, $3, $4, $5::jsonb)
                    RETURNING \(IdentityRows.agentColumns)
                    """, [tenantID, agentID, handle, displayName, metadata])
                _ = try connection.query(
                    "INSERT INTO identity.credentials (digest, role, subject_id, tenant_id) VALUES ($1, 'agent', $2, $3)",
                    [digest, agentID, tenantID])
                return try IdentityRows.agent(rows[0])
            }
        } catch let error as PostgresError where error.violates("agents_handle_unique") {
            throw RPCError.alreadyExists("agent handle \"\(handle)\" already exists", reason: "handle_taken")
        }
        guard let agent else { throw RPCError.notFound("tenant") }
        var response = CreateAgentResponse()
        response.agent = agent
        response.secret = secret.exposedValue
        return response
    }

    /// An agent: its tenant's admin and finance principals, the agent itself,
    /// its ancestors and services; anyone else gets NOT_FOUND.
    func getAgent(_ request: GetAgentRequest, principal: Principal) async throws -> Agent {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try await requireReach(principal, agentID: agentID, tenantID: tenantID, includingSelf: true)
        guard let agent = try await fetchAgent(tenantID: tenantID, agentID: agentID) else {
            throw RPCError.notFound("agent")
        }
        return agent
    }

    /// The agent `handle` of the tenant `tenant_id`, provided that tenant's
    /// slug is `tenant_slug`, or with `tenant_id` empty of whichever tenant has
    /// that slug (service `wallet` only: a payee named `handle@tenant-slug`,
    /// possibly of another tenant). NOT_FOUND when there is no such agent or
    /// the slug is not that tenant's; INVALID_ARGUMENT for a malformed handle or slug.
    func findAgent(_ request: FindAgentRequest) async throws -> Agent {
        let tenantID: String? = try request.tenantID.isEmpty ? nil : Validation.id(request.tenantID, what: "tenant")
        let slug = try Validation.handle(request.tenantSlug, field: "tenant_slug")
        let handle = try Validation.handle(request.handle, field: "handle")
        let agent = try await pool.withConnection { connection -> Agent? in
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.agentColumns) FROM identity.agents
                 WHERE tenant_id = (SELECT s.tenant_id FROM identity.tenant_slugs s WHERE s.slug = $2)
                   AND ($1::uuid IS NULL OR tenant_id = $1::uuid) AND handle = $3
                """, [tenantID, slug, handle])
            return try rows.first.map(IdentityRows.agent)
        }
        guard let agent else { throw RPCError.notFound("agent") }
        return agent
    }

    /// The tenant's agents by handle, paged, optionally only one status; with
    /// `subtree_of`, that agent and its descendants, parents before children.
    /// An agent lists only its own subtree (the default for it) or a descendant's.
    func listAgents(_ request: ListAgentsRequest, principal: Principal) async throws -> ListAgentsResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let size = try PageToken.size(request.pageSize)
        let status: String?
        if request.status == .unspecified {
            status = nil
        } else {
            guard let text = IdentityRows.statusText(request.status) else {
                throw RPCError.invalid("status", "is not an agent status", reason: "status_invalid")
            }
            status = text
        }
        var root = request.subtreeOf
        if root.isEmpty, case .agent(_, let own) = principal { root = own }
        if !root.isEmpty {
            root = try Validation.id(root, what: "agent")
            try await requireReach(principal, agentID: root, tenantID: tenantID, includingSelf: true)
            return try await listSubtree(tenantID: tenantID, root: root, status: status, pageToken: request.pageToken, size: size)
        }
        let after = try PageToken.parse(request.pageToken)?.after ?? ""
        let agents = try await pool.withConnection { connection -> [Agent] in
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.agentColumns) FROM identity.agents
                 WHERE tenant_id = $1 AND handle > $2 AND ($3::text IS NULL OR status = $3::text)
                 ORDER BY handle LIMIT $4
                """, [tenantID, after, status, size + 1])
            return try rows.map(IdentityRows.agent)
        }
        var response = ListAgentsResponse()
        response.agents = Array(agents.prefix(size))
        if agents.count > size, let last = response.agents.last { response.nextPageToken = PageToken(after: last.handle).text }
        return response
    }

    /// Issues a new agent secret (admin, or the agent itself). The previous
    /// secrets stop working now, or after `grace_period_us`. Refused for a
    /// revoked agent (FAILED_PRECONDITION, `agent_revoked`).
    func rotateAgentSecret(_ request: RotateAgentSecretRequest, principal: Principal) async throws -> RotateAgentSecretResponse {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireAgent(agentID, inTenant: tenantID) }
        let grace = try Validation.gracePeriod(request.gracePeriodUs)
        let secret = try Self.newSecret(.agentKey)
        let digest = secret.digest
        let previousExpiry = try await pool.withTransaction { connection -> Int64? in
            let rows = try connection.query(
                "SELECT status FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE", [tenantID, agentID])
            guard let row = rows.first else { return nil }
            let status = try row.decode(String.self, at: 0)
            if status == "revoked" {
                throw RPCError(.failedPrecondition, "the agent is revoked", reason: "agent_revoked")
            }
            let expiry = try IdentityService.retireCredentials(connection, subjectID: agentID, tenantID: tenantID, graceMicros: grace)
            _ = try connection.query(
                """
                INSERT INTO identity.credentials (digest, role, subject_id, tenant_id, disabled_reason)
                VALUES ($1, 'agent', $2, $3, $4)
                """, [digest, agentID, tenantID, status == "suspended" ? "agent_suspended" : nil])
            return expiry
        }
        guard let previousExpiry else { throw RPCError.notFound("agent") }
        var response = RotateAgentSecretResponse()
        response.secret = secret.exposedValue
        response.previousExpiresAtUs = previousExpiry
        return response
    }

    /// Suspends (active → suspended) or resumes (suspended → active) an agent
    /// (admin, or one of its ancestors). A suspended agent's secrets do not authenticate; tokens it
    /// already holds expire on their own (revocation is the immediate cut). Repeating
    /// either is a no-op; a revoked agent is FAILED_PRECONDITION (`agent_revoked`).
    func setAgentSuspended(_ request: GetAgentRequest, suspended: Bool, principal: Principal) async throws -> Agent {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        try await requireReach(principal, agentID: agentID, tenantID: tenantID, includingSelf: false)
        let target = suspended ? "suspended" : "active"
        let agent = try await pool.withTransaction { connection -> Agent? in
            let rows = try connection.query(
                "SELECT status FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE", [tenantID, agentID])
            guard let row = rows.first else { return nil }
            let status = try row.decode(String.self, at: 0)
            if status == "revoked" {
                throw RPCError(.failedPrecondition, "the agent is revoked", reason: "agent_revoked")
            }
            if status != target {
                _ = try connection.query(
                    "UPDATE identity.agents SET status = $3, updated_at = now() WHERE tenant_id = $1 AND agent_id = $2",
                    [tenantID, agentID, target])
                _ = try connection.query(
                    "UPDATE identity.credentials SET disabled_reason = $3 WHERE subject_id = $2 AND tenant_id = $1",
                    [tenantID, agentID, suspended ? "agent_suspended" : nil])
                if suspended {
                    try IdentityService.recordAgentEvent(
                        connection, tenantID: tenantID, agentID: agentID, type: EventCatalogue.agentSuspended,
                        data: "jsonb_build_object('agent_id', a.agent_id, 'handle', a.handle, 'suspended_at_us', identity.to_us(now()))")
                }
            }
            let agent = try connection.query(
                "SELECT \(IdentityRows.agentColumns) FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2",
                [tenantID, agentID])
            return try IdentityRows.agent(agent[0])
        }
        guard let agent else { throw RPCError.notFound("agent") }
        if suspended { webhooks.nudge() }
        return agent
    }

    /// Revokes an agent and its whole subtree (admin, or one of the agent's
    /// ancestors; terminal; `reason` required). One transaction locks the
    /// subtree's rows in agent-id order and, for every agent not yet revoked,
    /// records the revocation, disables its secrets, adds it to the revocation
    /// feed, writes one outbox row per subscriber carrying `return_to` (the
    /// nearest ancestor of the revoked agent that stays live, NULL for the
    /// treasury: where the Wallet moves each unspent balance) and one
    /// `agent.revoked` event. Then every notice of every revoked agent is
    /// sent (concurrently, a bounded number of agents at once) before the
    /// call returns. The answer says who acknowledged the agent's own notice
    /// and lists the descendants revoked with it; undelivered notices are
    /// retried until acknowledged. Revoking again returns the agent and the
    /// current delivery state.
    func revokeAgent(_ request: RevokeAgentRequest, principal: Principal) async throws -> RevokeAgentResponse {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        try await requireReach(principal, agentID: agentID, tenantID: tenantID, includingSelf: false)
        let reason = try Validation.text(request.reason, field: "reason", required: true, maximum: 500)
        let keepMicros = (settings.tokenLifetime + .seconds(60)).microseconds
        let subscribers = settings.revocationSubscribers.map(\.name)
        let lease = (settings.deliveryTimeout * 2 + .seconds(1)).microseconds
        let outcome = try await pool.withTransaction { connection -> (agent: Agent, revoked: [String], descendants: [String])? in
            // The whole subtree, locked in one fixed order (agent id) so overlapping cascades never deadlock.
            let subtree = try connection.query(
                """
                SELECT agent_id::text, status, depth FROM identity.agents
                 WHERE tenant_id = $1 AND (agent_id = $2 OR $2::uuid = ANY(ancestors))
                 ORDER BY agent_id FOR UPDATE
                """, [tenantID, agentID])
            var members: [(id: String, status: String, depth: Int)] = []
            for row in subtree {
                members.append((try row.decode(String.self, at: 0), try row.decode(String.self, at: 1), try row.decode(Int.self, at: 2)))
            }
            guard members.contains(where: { $0.id == agentID }) else { return nil }
            members.sort { ($0.depth, $0.id) < ($1.depth, $1.id) }
            let revoking = members.filter { $0.status != "revoked" }.map(\.id)
            if !revoking.isEmpty {
                let list = revoking.joined(separator: ",")
                // The nearest ancestor that stays live receives every unspent balance of the subtree.
                let returnTo = try connection.query(
                    """
                    SELECT p.agent_id::text FROM identity.agents a
                      CROSS JOIN LATERAL unnest(a.ancestors) WITH ORDINALITY AS x(ancestor_id, position)
                      JOIN identity.agents p ON p.tenant_id = a.tenant_id AND p.agent_id = x.ancestor_id
                     WHERE a.tenant_id = $1 AND a.agent_id = $2 AND p.status <> 'revoked'
                     ORDER BY x.position DESC LIMIT 1
                    """, [tenantID, agentID]).first.map { try $0.decode(String.self, at: 0) }
                _ = try connection.query(
                    """
                    UPDATE identity.agents SET status = 'revoked', revoke_reason = $3, revoked_at = now(), updated_at = now()
                     WHERE tenant_id = $1 AND agent_id = ANY(string_to_array($2, ',')::uuid[])
                    """, [tenantID, list, reason])
                _ = try connection.query(
                    """
                    UPDATE identity.credentials SET disabled_reason = 'agent_revoked'
                     WHERE tenant_id = $1 AND subject_id = ANY(string_to_array($2, ',')::uuid[])
                    """, [tenantID, list])
                try IdentityService.lockRevocationFeed(connection)
                _ = try connection.query(
                    """
                    INSERT INTO identity.revocations (tenant_id, subject_id, reason, revoked_at, expires_at)
                    SELECT $1, x.id, $3, now(), now() + $4 * interval '1 microsecond'
                      FROM unnest(string_to_array($2, ',')::uuid[]) WITH ORDINALITY AS x(id, position) ORDER BY x.position
                    """, [tenantID, list, reason, keepMicros])
                if !subscribers.isEmpty {
                    // Claimed by this call for one lease, so the background loop leaves them alone.
                    _ = try connection.query(
                        """
                        INSERT INTO identity.revocation_outbox
                               (tenant_id, agent_id, subscriber, reason, revoked_at, next_attempt_at, return_to)
                        SELECT $1, x.id, s.name, $4, now(), now() + $5 * interval '1 microsecond', $6::uuid
                          FROM unnest(string_to_array($2, ',')::uuid[]) AS x(id)
                         CROSS JOIN unnest(string_to_array($3, ',')) AS s(name)
                        """, [tenantID, list, subscribers.joined(separator: ","), reason, lease, returnTo])
                }
                for member in revoking {
                    try IdentityService.recordAgentEvent(
                        connection, tenantID: tenantID, agentID: member, type: EventCatalogue.agentRevoked,
                        data: """
                            jsonb_build_object('agent_id', a.agent_id, 'handle', a.handle, 'reason', a.revoke_reason,
                                               'revoked_at_us', identity.to_us(a.revoked_at))
                            """)
                }
            }
            let agent = try connection.query(
                "SELECT \(IdentityRows.agentColumns) FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2",
                [tenantID, agentID])
            // The descendants revoked with the agent (in its transaction, so at its instant), parents first.
            let descendants = try connection.query(
                """
                SELECT d.agent_id::text FROM identity.agents d
                  JOIN identity.agents a ON a.tenant_id = d.tenant_id AND a.agent_id = $2
                 WHERE d.tenant_id = $1 AND a.agent_id = ANY(d.ancestors) AND d.revoked_at = a.revoked_at
                 ORDER BY d.depth, d.agent_id
                """, [tenantID, agentID]).map { try $0.decode(String.self, at: 0) }
            return (try IdentityRows.agent(agent[0]), revoking, descendants)
        }
        guard let outcome else { throw RPCError.notFound("agent") }
        let until = (outcome.agent.revokedAtUs + keepMicros) / 1_000_000 + 1
        for member in outcome.revoked { verifier.revoke(subject: member, until: until) }
        if !outcome.revoked.isEmpty {
            logger.notice("agent revoked", [
                "tenant_id": tenantID, "agent_id": agentID, "descendants_revoked": String(outcome.revoked.count - 1),
            ])
            webhooks.nudge()
        }
        let delivery = try await deliverRevocations(tenantID: tenantID, agentID: agentID, others: outcome.revoked)
        var response = RevokeAgentResponse()
        response.agent = outcome.agent
        response.acknowledged = delivery.acknowledged
        response.pending = delivery.pending
        response.revokedDescendantIDs = outcome.descendants
        return response
    }

    /// Sends the notices of `agentID` and of every agent in `others`, at most
    /// 16 agents at a time, and answers the delivery state of `agentID`'s own.
    private func deliverRevocations(
        tenantID: String, agentID: String, others: [String]
    ) async throws -> RevocationDispatcher.Delivery {
        let dispatcher = self.dispatcher
        let rest = others.filter { $0 != agentID }
        return try await withThrowingTaskGroup(of: RevocationDispatcher.Delivery?.self) { group in
            group.addTask { try await dispatcher.deliverNow(tenantID: tenantID, agentID: agentID) }
            var next = rest.startIndex, running = 1, own: RevocationDispatcher.Delivery?
            while next < rest.endIndex, running < 16 {
                let member = rest[next]
                group.addTask { _ = try await dispatcher.deliverNow(tenantID: tenantID, agentID: member); return nil }
                next += 1
                running += 1
            }
            while let finished = try await group.next() {
                if let finished { own = finished }
                if next < rest.endIndex {
                    let member = rest[next]
                    group.addTask { _ = try await dispatcher.deliverNow(tenantID: tenantID, agentID: member); return nil }
                    next += 1
                }
            }
            return own ?? RevocationDispatcher.Delivery(acknowledged: [], pending: [])
        }
    }

    /// The agent row, or `nil`.
    func fetchAgent(tenantID: String, agentID: String) async throws -> Agent? {
        try await pool.withConnection { connection -> Agent? in
            let rows = try connection.query(
                "SELECT \(IdentityRows.agentColumns) FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2",
                [tenantID, agentID])
            return try rows.first.map(IdentityRows.agent)
        }
    }

    /// Canonical tenant and agent ids; malformed ids are NOT_FOUND.
    func agentIDs(_ tenantID: String, _ agentID: String) throws(RPCError) -> (String, String) {
        (try Validation.id(tenantID, what: "tenant"), try Validation.id(agentID, what: "agent"))
    }

    /// Ends the subject's live credentials now (grace 0: deleted) or after
    /// `graceMicros`; returns when the previous secrets stop working (µs).
    static func retireCredentials(
        _ connection: PostgresConnection, subjectID: String, tenantID: String?, graceMicros: Int64
    ) throws -> Int64 {
        if graceMicros == 0 {
            let rows = try connection.query(
                """
                WITH gone AS (
                    DELETE FROM identity.credentials
                     WHERE subject_id = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid
                    RETURNING 1)
                SELECT identity.to_us(now())
                """, [subjectID, tenantID])
            return try rows[0].decode(Int64.self, at: 0)
        }
        let rows = try connection.query(
            """
            WITH capped AS (
                UPDATE identity.credentials
                   SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + $3 * interval '1 microsecond')
                 WHERE subject_id = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid
                   AND (expires_at IS NULL OR expires_at > now())
                RETURNING 1)
            SELECT identity.to_us(now() + $3 * interval '1 microsecond')
            """, [subjectID, tenantID, graceMicros])
        return try rows[0].decode(Int64.self, at: 0)
    }
}
