import PurserAPI
import PurserPostgres
import PurserRPC
import PurserService

/// The SQL of aliases and revoked agents (`email.agents`, `email.aliases`,
/// `email.address_directory`). Every statement filters on `tenant_id`, except
/// the recipient lookup by address, which goes through the address directory.
///
/// Creating an alias and disabling an agent both lock the agent's row, so an
/// alias can never be created (or enabled) after the agent's revocation committed.
package struct AliasStore: Sendable {
    package let pool: PostgresPool

    /// A store on `pool`; the `email` schema must be migrated.
    package init(pool: PostgresPool) { self.pool = pool }

    static let columns = """
        a.alias_id::text, a.tenant_id::text, a.agent_id::text, a.address, a.kind, a.enabled, a.disabled_reason,
        a.received_count, a.rejected_count, coalesce(email.to_us(a.last_received_at), 0),
        email.to_us(a.created_at), email.to_us(a.updated_at)
        """

    static func alias(_ row: PostgresRow) throws(PostgresError) -> Alias {
        var alias = Alias()
        alias.id = try row.decode(String.self, at: 0)
        alias.tenantID = try row.decode(String.self, at: 1)
        alias.agentID = try row.decode(String.self, at: 2)
        alias.address = try row.decode(String.self, at: 3)
        alias.kind = AliasKind(rawValue: Int32(try row.decode(Int.self, at: 4)))
        alias.status = try row.decode(Bool.self, at: 5) ? .enabled : .disabled
        alias.disabledReason = try row.decode(String.self, at: 6)
        alias.receivedCount = try row.decode(Int64.self, at: 7)
        alias.rejectedCount = try row.decode(Int64.self, at: 8)
        alias.lastReceivedAtUs = try row.decode(Int64.self, at: 9)
        alias.createdAtUs = try row.decode(Int64.self, at: 10)
        alias.updatedAtUs = try row.decode(Int64.self, at: 11)
        return alias
    }

    /// The agent's primary alias, if it has one.
    package func primary(tenantID: String, agentID: String) async throws -> Alias? {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM email.aliases a WHERE a.tenant_id = $1 AND a.agent_id = $2 AND a.kind = 1",
                [tenantID, agentID]
            ).first.map(Self.alias)
        }
    }

    /// Creates an alias at one of `candidates` (the first free address wins;
    /// for a primary alias an existing one is returned instead). Throws
    /// `agent_revoked` when the agent is revoked and `address_taken` when
    /// every candidate is taken.
    package func create(tenantID: String, agentID: String, kind: AliasKind, candidates: [String]) async throws -> Alias {
        try await pool.withTransaction { connection in
            _ = try connection.query(
                "INSERT INTO email.agents (tenant_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [tenantID, agentID])
            let agent = try connection.query(
                "SELECT revoked_at IS NOT NULL FROM email.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE",
                [tenantID, agentID])
            if try agent.first?.decode(Bool.self, at: 0) == true { throw RPCError.agentRevoked }
            if kind == .primary {
                let existing = try connection.query(
                    "SELECT \(Self.columns) FROM email.aliases a WHERE a.tenant_id = $1 AND a.agent_id = $2 AND a.kind = 1",
                    [tenantID, agentID])
                if let row = existing.first { return try Self.alias(row) }
            }
            for address in candidates {
                let claimed = try connection.query(
                    """
                    INSERT INTO email.address_directory (address, tenant_id, alias_id) VALUES ($1, $2, gen_random_uuid())
                    ON CONFLICT (address) DO NOTHING RETURNING alias_id::text
                    """, [address, tenantID])
                guard let aliasID = try claimed.first?.decode(String.self, at: 0) else { continue }
                let rows = try connection.query(
                    """
                    WITH a AS (
                        INSERT INTO email.aliases (tenant_id, alias_id, agent_id, address, kind)
                        VALUES ($1, $2::uuid, $3, $4, $5) RETURNING *)
                    SELECT \(Self.columns) FROM a
                    """, [tenantID, aliasID, agentID, address, Int32(kind.rawValue)])
                guard let row = rows.first else { break }
                return try Self.alias(row)
            }
            throw RPCError.addressTaken
        }
    }

    /// One page of aliases, oldest first: of one agent, or of the whole tenant when `agentID` is nil.
    package func list(
        tenantID: String, agentID: String?, after cursor: PageToken.Position?, limit: Int
    ) async throws -> ([Alias], PageToken?) {
        try await pool.withConnection { connection in
            var sql = "SELECT \(Self.columns) FROM email.aliases a WHERE a.tenant_id = $1"
            var parameters: [(any PostgresEncodable)?] = [tenantID]
            if let agentID {
                parameters.append(agentID)
                sql += " AND a.agent_id = $\(parameters.count)"
            }
            if let cursor {
                parameters.append(cursor.timeUs)
                parameters.append(cursor.id)
                sql += " AND (email.to_us(a.created_at), a.alias_id) > ($\(parameters.count - 1), $\(parameters.count)::uuid)"
            }
            parameters.append(limit + 1)
            sql += " ORDER BY a.created_at, a.alias_id LIMIT $\(parameters.count)"
            var aliases = try connection.query(sql, parameters).map(Self.alias)
            var next: PageToken?
            if aliases.count > limit {
                aliases.removeLast()
                next = aliases.last.map { PageToken(after: PageToken.Position(timeUs: $0.createdAtUs, id: $0.id)) }
            }
            return (aliases, next)
        }
    }

    /// One alias of the tenant, if it exists.
    package func get(tenantID: String, aliasID: String) async throws -> Alias? {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM email.aliases a WHERE a.tenant_id = $1 AND a.alias_id = $2",
                [tenantID, aliasID]
            ).first.map(Self.alias)
        }
    }

    /// Enables or disables one alias of `agentID`; enabling an alias of a revoked agent throws `agent_revoked`.
    /// Returns nil when the alias does not exist or belongs to another agent.
    package func setEnabled(tenantID: String, agentID: String, aliasID: String, enabled: Bool) async throws -> Alias? {
        try await pool.withTransaction { connection in
            let agent = try connection.query(
                "SELECT revoked_at IS NOT NULL FROM email.agents WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE",
                [tenantID, agentID])
            if enabled, try agent.first?.decode(Bool.self, at: 0) == true { throw RPCError.agentRevoked }
            let rows = try connection.query(
                """
                WITH a AS (
                    UPDATE email.aliases SET enabled = $4, disabled_reason = CASE WHEN $4 THEN '' ELSE 'disabled' END,
                           updated_at = clock_timestamp()
                     WHERE tenant_id = $1 AND agent_id = $2 AND alias_id = $3 RETURNING *)
                SELECT \(Self.columns) FROM a
                """, [tenantID, agentID, aliasID, enabled])
            return try rows.first.map(Self.alias)
        }
    }

    /// Records the agent's revocation and disables all its aliases; returns
    /// how many were enabled before. Repeats change nothing and return 0.
    package func disableAgent(tenantID: String, agentID: String, reason: String, revokedAtUs: Int64) async throws -> Int {
        try await pool.withTransaction { connection in
            _ = try connection.query(
                """
                INSERT INTO email.agents (tenant_id, agent_id, revoked_at, revoke_reason)
                VALUES ($1, $2, CASE WHEN $3 > 0 THEN 'epoch'::timestamptz + $3 * interval '1 microsecond' ELSE now() END, $4)
                ON CONFLICT (tenant_id, agent_id) DO UPDATE
                   SET revoked_at = coalesce(email.agents.revoked_at, excluded.revoked_at),
                       revoke_reason = CASE WHEN email.agents.revoked_at IS NULL THEN excluded.revoke_reason
                                            ELSE email.agents.revoke_reason END
                """, [tenantID, agentID, revokedAtUs, reason])
            let disabled = try connection.query(
                """
                UPDATE email.aliases SET enabled = false, disabled_reason = 'agent_revoked', updated_at = clock_timestamp()
                 WHERE tenant_id = $1 AND agent_id = $2 AND enabled
                """, [tenantID, agentID])
            _ = try connection.query(
                """
                UPDATE email.aliases SET disabled_reason = 'agent_revoked', updated_at = clock_timestamp()
                 WHERE tenant_id = $1 AND agent_id = $2 AND disabled_reason <> 'agent_revoked'
                """, [tenantID, agentID])
            return disabled.affectedRows
        }
    }
}
