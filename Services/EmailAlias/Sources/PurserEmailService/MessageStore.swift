import PurserAPI
import PurserEmail
import PurserPostgres
import PurserService

/// The SQL of received mail (`email.messages`) and of the SMTP side of
/// aliases: recipient lookup, delivery with per-alias counters, retention.
package struct MessageStore: Sendable {
    package let pool: PostgresPool

    /// A store on `pool`; the `email` schema must be migrated.
    package init(pool: PostgresPool) { self.pool = pool }

    /// What a recipient lookup found.
    package enum Recipient: Sendable, Equatable {
        case unknown
        /// The alias exists but is disabled; its `rejected_count` was incremented.
        case disabled
        case enabled(tenantID: String, aliasID: String)
    }

    /// Looks `address` (lowercase) up; a disabled alias counts one rejection.
    package func lookup(address: String) async throws -> Recipient {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT a.tenant_id::text, a.alias_id::text, a.enabled
                  FROM email.address_directory d
                  JOIN email.aliases a ON a.tenant_id = d.tenant_id AND a.alias_id = d.alias_id
                 WHERE d.address = $1
                """, [address])
            guard let row = rows.first else { return .unknown }
            let tenantID = try row.decode(String.self, at: 0), aliasID = try row.decode(String.self, at: 1)
            guard try row.decode(Bool.self, at: 2) else {
                _ = try connection.query(
                    "UPDATE email.aliases SET rejected_count = rejected_count + 1 WHERE tenant_id = $1 AND alias_id = $2",
                    [tenantID, aliasID])
                return .disabled
            }
            return .enabled(tenantID: tenantID, aliasID: aliasID)
        }
    }

    /// Stores one copy of `raw` per recipient alias that is still enabled, in
    /// one transaction, and counts it on each alias. Returns the new message
    /// ids (empty when every alias was disabled meanwhile; those count as rejected).
    package func deliver(envelope: SMTPEnvelope, raw: [UInt8], parsed: MailMessage) async throws -> [String] {
        let addresses = envelope.recipients.map(\.lookupKey)
        let sender = Self.clean(envelope.sender?.description ?? "")
        let client = Self.clean(envelope.clientName)
        let overTLS = envelope.overTLS
        let from = Self.clean(parsed.from ?? ""), to = Self.clean(parsed.to ?? "")
        let subject = Self.clean(parsed.subject ?? ""), date = Self.clean(parsed.date ?? "")
        let messageID = Self.clean(parsed.messageID ?? ""), text = Self.clean(parsed.plainText ?? "")
        let size = Int64(raw.count)
        return try await pool.withTransaction { connection in
            var stored: [String] = []
            for address in addresses {
                let target = try connection.query(
                    """
                    SELECT a.tenant_id::text, a.alias_id::text, a.agent_id::text, a.enabled
                      FROM email.address_directory d
                      JOIN email.aliases a ON a.tenant_id = d.tenant_id AND a.alias_id = d.alias_id
                     WHERE d.address = $1
                       FOR UPDATE OF a
                    """, [address])
                guard let row = target.first else { continue }
                let tenantID = try row.decode(String.self, at: 0), aliasID = try row.decode(String.self, at: 1)
                guard try row.decode(Bool.self, at: 3) else {
                    _ = try connection.query(
                        "UPDATE email.aliases SET rejected_count = rejected_count + 1 WHERE tenant_id = $1 AND alias_id = $2",
                        [tenantID, aliasID])
                    continue
                }
                let inserted = try connection.query(
                    """
                    INSERT INTO email.messages (tenant_id, agent_id, alias_id, recipient, envelope_from, client_name, over_tls,
                        from_header, to_header, subject, date_header, message_id_header, plain_text, raw, size_bytes)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                    RETURNING message_id::text
                    """,
                    [tenantID, try row.decode(String.self, at: 2), aliasID, address, sender, client, overTLS, from, to, subject,
                     date, messageID, text, raw, size])
                _ = try connection.query(
                    """
                    UPDATE email.aliases SET received_count = received_count + 1, last_received_at = clock_timestamp()
                     WHERE tenant_id = $1 AND alias_id = $2
                    """, [tenantID, aliasID])
                if let id = try inserted.first?.decode(String.self, at: 0) { stored.append(id) }
            }
            return stored
        }
    }

    static let summaryColumns = """
        m.message_id::text, m.tenant_id::text, m.agent_id::text, m.alias_id::text, m.recipient, m.envelope_from,
        m.client_name, m.over_tls, m.from_header, m.to_header, m.subject, m.date_header, m.message_id_header,
        m.size_bytes, email.to_us(m.received_at)
        """

    static func summary(_ row: PostgresRow) throws(PostgresError) -> EmailMessage {
        var message = EmailMessage()
        message.id = try row.decode(String.self, at: 0)
        message.tenantID = try row.decode(String.self, at: 1)
        message.agentID = try row.decode(String.self, at: 2)
        message.aliasID = try row.decode(String.self, at: 3)
        message.recipient = try row.decode(String.self, at: 4)
        message.envelopeFrom = try row.decode(String.self, at: 5)
        message.clientName = try row.decode(String.self, at: 6)
        message.receivedOverTLS = try row.decode(Bool.self, at: 7)
        message.from = try row.decode(String.self, at: 8)
        message.to = try row.decode(String.self, at: 9)
        message.subject = try row.decode(String.self, at: 10)
        message.date = try row.decode(String.self, at: 11)
        message.messageID = try row.decode(String.self, at: 12)
        message.sizeBytes = try row.decode(Int64.self, at: 13)
        message.receivedAtUs = try row.decode(Int64.self, at: 14)
        return message
    }

    /// One page of the agent's messages, newest first, received at or after `sinceUs`, optionally of one alias.
    package func list(
        tenantID: String, agentID: String, aliasID: String?, sinceUs: Int64, after cursor: PageToken.Position?, limit: Int
    ) async throws -> ([EmailMessage], PageToken?) {
        try await pool.withConnection { connection in
            var sql = "SELECT \(Self.summaryColumns) FROM email.messages m WHERE m.tenant_id = $1 AND m.agent_id = $2"
            var parameters: [(any PostgresEncodable)?] = [tenantID, agentID]
            if let aliasID {
                parameters.append(aliasID)
                sql += " AND m.alias_id = $\(parameters.count)"
            }
            if sinceUs > 0 {
                parameters.append(sinceUs)
                sql += " AND m.received_at >= 'epoch'::timestamptz + $\(parameters.count) * interval '1 microsecond'"
            }
            if let cursor {
                parameters.append(cursor.timeUs)
                parameters.append(cursor.id)
                sql += " AND (email.to_us(m.received_at), m.message_id) < ($\(parameters.count - 1), $\(parameters.count)::uuid)"
            }
            parameters.append(limit + 1)
            sql += " ORDER BY m.received_at DESC, m.message_id DESC LIMIT $\(parameters.count)"
            var messages = try connection.query(sql, parameters).map(Self.summary)
            var next: PageToken?
            if messages.count > limit {
                messages.removeLast()
                next = messages.last.map { PageToken(after: PageToken.Position(timeUs: $0.receivedAtUs, id: $0.id)) }
            }
            return (messages, next)
        }
    }

    /// One message with its plain text and raw bytes, if it exists in the tenant.
    package func get(tenantID: String, messageID: String) async throws -> EmailMessage? {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT \(Self.summaryColumns), m.plain_text, m.raw FROM email.messages m WHERE m.tenant_id = $1 AND m.message_id = $2",
                [tenantID, messageID])
            guard let row = rows.first else { return nil }
            var message = try Self.summary(row)
            message.plainText = try row.decode(String.self, at: 15)
            message.raw = try row.decode([UInt8].self, at: 16)
            return message
        }
    }

    /// The owner (agent id) of a message of the tenant, if it exists.
    package func owner(tenantID: String, messageID: String) async throws -> String? {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT agent_id::text FROM email.messages WHERE tenant_id = $1 AND message_id = $2", [tenantID, messageID]
            ).first?.decode(String.self, at: 0)
        }
    }

    /// Deletes a message of `agentID`; false when there was none.
    package func delete(tenantID: String, agentID: String, messageID: String) async throws -> Bool {
        try await pool.withConnection { connection in
            try connection.query(
                "DELETE FROM email.messages WHERE tenant_id = $1 AND agent_id = $2 AND message_id = $3",
                [tenantID, agentID, messageID]
            ).affectedRows > 0
        }
    }

    /// Deletes up to `limit` messages received before `cutoffUs`; returns how many.
    package func deleteOlder(thanUs cutoffUs: Int64, limit: Int) async throws -> Int {
        try await pool.withConnection { connection in
            try connection.query(
                """
                DELETE FROM email.messages m USING (
                    SELECT tenant_id, message_id FROM email.messages
                     WHERE received_at < 'epoch'::timestamptz + $1 * interval '1 microsecond'
                     ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED) old
                 WHERE m.tenant_id = old.tenant_id AND m.message_id = old.message_id
                """, [cutoffUs, limit]
            ).affectedRows
        }
    }

    /// Text PostgreSQL can store: NUL characters removed.
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacing("\u{0}", with: "") : text
    }
}
