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

    /// An agent: its tenant's admin and finance principals, the agent itself
    /// and services; anyone else gets NOT_FOUND.
    func getAgent(_ request: GetAgentRequest, principal: Principal) async throws -> Agent {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireAgent(agentID, inTenant: tenantID) }
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

    /// The tenant's agents by handle, paged, optionally only one status.
    func listAgents(_ request: ListAgentsRequest, principal: Principal) async throws -> ListAgentsResponse {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let size = try PageToken.size(request.pageSize)
        let after = try PageToken.parse(request.pageToken)?.after ?? ""
        let status: String?
        if request.status == .unspecified {
            status = nil
        } else {
            guard let text = IdentityRows.statusText(request.status) else {
                throw RPCError.invalid("status", "is not an agent status", reason: "status_invalid")
            }
            status = text
        }
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
    /// (admin). A suspended agent's secrets do not authenticate; tokens it
    /// already holds expire on their own (revocation is the immediate cut). Repeating
    /// either is a no-op; a revoked agent is FAILED_PRECONDITION (`agent_revoked`).
    func setAgentSuspended(_ request: GetAgentRequest, suspended: Bool, principal: Principal) async throws -> Agent {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
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

    /// Revokes an agent (admin; terminal; `reason` required). One transaction
    /// records the revocation, disables its secrets, adds it to the revocation
    /// feed and writes one outbox row per subscriber; then every subscriber is
    /// sent an `AgentRevocationNotice` before the call returns. The answer says
    /// who acknowledged; the others are retried until they do. Revoking again
    /// returns the agent and the current delivery state.
    func revokeAgent(_ request: RevokeAgentRequest, principal: Principal) async throws -> RevokeAgentResponse {
        let (tenantID, agentID) = try agentIDs(request.tenantID, request.agentID)
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let reason = try Validation.text(request.reason, field: "reason", required: true, maximum: 500)
        let keepMicros = (settings.tokenLifetime + .seconds(60)).microseconds
        let subscribers = settings.revocationSubscribers.map(\.name)
        let lease = (settings.deliveryTimeout * 2 + .seconds(1)).microseconds
        let agent = try await pool.withTransaction { connection -> Agent? in
            let rows = try connection.query(
                "SELECT status FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE", [tenantID, agentID])
            guard let row = rows.first else { return nil }
            if try row.decode(String.self, at: 0) != "revoked" {
                _ = try connection.query(
                    """
                    UPDATE identity.agents SET status = 'revoked', revoke_reason = $3, revoked_at = now(), updated_at = now()
                     WHERE tenant_id = $1 AND agent_id = $2
                    """, [tenantID, agentID, reason])
                _ = try connection.query(
                    "UPDATE identity.credentials SET disabled_reason = 'agent_revoked' WHERE subject_id = $2 AND tenant_id = $1",
                    [tenantID, agentID])
                try IdentityService.lockRevocationFeed(connection)
                _ = try connection.query(
                    """
                    INSERT INTO identity.revocations (tenant_id, subject_id, reason, revoked_at, expires_at)
                    VALUES ($1, $2, $3, now(), now() + $4 * interval '1 microsecond')
                    """, [tenantID, agentID, reason, keepMicros])
                for subscriber in subscribers {
                    // Claimed by this call for one lease, so the background loop leaves it alone.
                    _ = try connection.query(
                        """
                        INSERT INTO identity.revocation_outbox (tenant_id, agent_id, subscriber, reason, revoked_at, next_attempt_at)
                        VALUES ($1, $2, $3, $4, now(), now() + $5 * interval '1 microsecond')
                        """, [tenantID, agentID, subscriber, reason, lease])
                }
                try IdentityService.recordAgentEvent(
                    connection, tenantID: tenantID, agentID: agentID, type: EventCatalogue.agentRevoked,
                    data: """
                        jsonb_build_object('agent_id', a.agent_id, 'handle', a.handle, 'reason', a.revoke_reason,
                                           'revoked_at_us', identity.to_us(a.revoked_at))
                        """)
            }
            let agent = try connection.query(
                "SELECT \(IdentityRows.agentColumns) FROM identity.agents WHERE tenant_id = $1 AND agent_id = $2",
                [tenantID, agentID])
            return try IdentityRows.agent(agent[0])
        }
        guard let agent else { throw RPCError.notFound("agent") }
        verifier.revoke(subject: agentID, until: (agent.revokedAtUs + keepMicros) / 1_000_000 + 1)
        logger.notice("agent revoked", ["tenant_id": tenantID, "agent_id": agentID])
        webhooks.nudge()
        let delivery = try await dispatcher.deliverNow(tenantID: tenantID, agentID: agentID)
        var response = RevokeAgentResponse()
        response.agent = agent
        response.acknowledged = delivery.acknowledged
        response.pending = delivery.pending
        return response
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
