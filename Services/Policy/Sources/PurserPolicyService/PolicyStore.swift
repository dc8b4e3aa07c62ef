import Foundation
import PurserPolicy
import PurserPostgres
import PurserRPC
import Synchronization

/// One stored version of a policy document, as read from `policy.policy_versions`.
struct StoredPolicyVersion: Sendable, Hashable {
    var tenantID: UUID
    /// `nil` for the tenant default.
    var agentID: UUID?
    var version: Int64
    /// Normalised JSON of the document.
    var documentJSON: String
    var author: String
    var createdAt: Date
    /// The tenant's policy epoch after this version was stored.
    var epoch: Int64 = 0
}

/// The current override of one ancestor of an agent, parsed (`nil` and `""` when it has none).
struct AncestorDocument: Sendable {
    var agentID: String
    var document: PolicyDocument?
    var json: String

    var version: Int64 { Int64(document?.version ?? 0) }
    /// The engine's form, for a merge.
    var override: AgentOverride { AgentOverride(agentID: agentID, document: document) }
}

/// The current documents of one agent (or of a tenant alone), parsed: the
/// tenant default, the overrides of the agent's ancestors (root first) and
/// the agent's own.
struct CurrentDocuments: Sendable {
    var tenant: PolicyDocument?
    var agent: PolicyDocument?
    var tenantJSON: String
    var agentJSON: String
    /// One per ancestor of the agent, the root first and the parent last.
    var ancestors: [AncestorDocument] = []
    /// The tenant's policy epoch these documents hold every change up to.
    var epoch: Int64 = 0

    var tenantVersion: Int64 { Int64(tenant?.version ?? 0) }
    var agentVersion: Int64 { Int64(agent?.version ?? 0) }
}

/// The SQL of the Policy service. Every statement filters on `tenant_id`.
/// Parsed documents are cached by (tenant, agent, version): versions are
/// immutable, so the cache can never serve a stale document.
final class PolicyStore: Sendable {
    private let pool: PostgresPool
    private let parsed = Mutex<[DocumentKey: PolicyDocument]>([:])
    private static let parsedCapacity = 50_000

    private struct DocumentKey: Hashable {
        let tenantID: UUID
        let agentID: String
        let version: Int64
    }

    /// A store over `pool`, whose database holds the migrated `policy` schema.
    init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Stores `document` as the next version of the tenant default
    /// (`agentID == nil`) or of the agent's override, in one transaction that
    /// locks the document's head row: versions are consecutive and an
    /// `expectedVersion` that is not the current one throws `versionConflict`.
    func store(
        tenantID: UUID, agentID: UUID?, document: PolicyDocument, expectedVersion: Int64?, author: String
    ) async throws -> StoredPolicyVersion {
        let agent = agentID?.uuidString.lowercased() ?? ""
        return try await pool.withTransaction { connection in
            _ = try connection.execute(
                "INSERT INTO policy.policy_heads (tenant_id, agent_id, version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                [tenantID, agent])
            let head = try connection.query(
                "SELECT version FROM policy.policy_heads WHERE tenant_id = $1 AND agent_id = $2 FOR UPDATE",
                [tenantID, agent])
            let current = try head.first.map { try $0.decode(Int64.self, at: 0) } ?? 0
            if let expectedVersion, expectedVersion != current {
                throw RPCError.versionConflict(expected: expectedVersion, current: current)
            }
            var stored = document
            stored.version = Int(current + 1)
            let json = try Self.normalisedJSON(stored)
            let inserted = try connection.query(
                """
                INSERT INTO policy.policy_versions (tenant_id, agent_id, version, document, author)
                VALUES ($1, $2, $3, $4, $5) RETURNING created_at
                """, [tenantID, agent, current + 1, json, author])
            _ = try connection.execute(
                "UPDATE policy.policy_heads SET version = $3, updated_at = now() WHERE tenant_id = $1 AND agent_id = $2",
                [tenantID, agent, current + 1])
            let epoch = try connection.query(
                """
                INSERT INTO policy.tenant_epochs AS e (tenant_id, epoch) VALUES ($1, 1)
                ON CONFLICT (tenant_id) DO UPDATE SET epoch = e.epoch + 1, updated_at = now()
                RETURNING epoch
                """, [tenantID])
            let createdAt = try inserted.first.map { try $0.decode(Date.self, at: 0) } ?? Date()
            return StoredPolicyVersion(
                tenantID: tenantID, agentID: agentID, version: current + 1, documentJSON: json, author: author,
                createdAt: createdAt, epoch: try epoch.first.map { try $0.decode(Int64.self, at: 0) } ?? 0)
        }
    }

    /// The current tenant default and, when `agentID` is given, the
    /// overrides of its `ancestors` (ids, root first) and its own, with the
    /// tenant's policy epoch, read in one statement (one consistent snapshot,
    /// so the documents hold every change up to the epoch).
    func current(tenantID: UUID, agentID: UUID?, ancestors: [String] = []) async throws -> CurrentDocuments {
        let agent = agentID?.uuidString.lowercased() ?? ""
        let agents = ([agent] + ancestors).filter { !$0.isEmpty }.joined(separator: ",")
        let (epoch, rows) = try await pool.withConnection { connection -> (Int64, [(String, Int64, String)]) in
            let result = try connection.query(
                """
                SELECT e.epoch, d.agent_id, d.version, d.document
                FROM (SELECT coalesce((SELECT epoch FROM policy.tenant_epochs WHERE tenant_id = $1), 0) AS epoch) e
                LEFT JOIN (
                    SELECT h.agent_id, h.version, v.document
                    FROM policy.policy_heads h
                    JOIN policy.policy_versions v
                      ON v.tenant_id = h.tenant_id AND v.agent_id = h.agent_id AND v.version = h.version
                    WHERE h.tenant_id = $1 AND (h.agent_id = '' OR h.agent_id = ANY (string_to_array($2, ',')))) d ON true
                """, [tenantID, agents])
            let epoch = try result.first.map { try $0.decode(Int64.self, at: 0) } ?? 0
            let documents = try result.compactMap { row -> (String, Int64, String)? in
                guard let rowAgent = try row.decode(String?.self, at: 1) else { return nil }
                return (rowAgent, try row.decode(Int64.self, at: 2), try row.decode(String.self, at: 3))
            }
            return (epoch, documents)
        }
        var documents = CurrentDocuments(
            tenant: nil, agent: nil, tenantJSON: "", agentJSON: "",
            ancestors: ancestors.map { AncestorDocument(agentID: $0, document: nil, json: "") }, epoch: epoch)
        for (rowAgent, version, json) in rows {
            let document = try parse(tenantID: tenantID, agentID: rowAgent, version: version, json: json)
            if rowAgent.isEmpty {
                documents.tenant = document
                documents.tenantJSON = json
            } else if rowAgent == agent {
                documents.agent = document
                documents.agentJSON = json
            } else if let index = ancestors.firstIndex(of: rowAgent) {
                documents.ancestors[index].document = document
                documents.ancestors[index].json = json
            }
        }
        return documents
    }

    /// Versions of one document, newest first, older than `before` (all when `nil`), at most `limit`.
    func versions(tenantID: UUID, agentID: UUID?, before: Int64?, limit: Int) async throws -> [StoredPolicyVersion] {
        let agent = agentID?.uuidString.lowercased() ?? ""
        return try await pool.withConnection { connection in
            let result = try connection.query(
                """
                SELECT version, document, author, created_at FROM policy.policy_versions
                WHERE tenant_id = $1 AND agent_id = $2 AND version < $3
                ORDER BY version DESC LIMIT $4
                """, [tenantID, agent, before ?? Int64.max, Int64(limit)])
            return try result.map { row in
                StoredPolicyVersion(
                    tenantID: tenantID, agentID: agentID, version: try row.decode(Int64.self, at: 0),
                    documentJSON: try row.decode(String.self, at: 1), author: try row.decode(String.self, at: 2),
                    createdAt: try row.decode(Date.self, at: 3))
            }
        }
    }

    private func parse(tenantID: UUID, agentID: String, version: Int64, json: String) throws -> PolicyDocument {
        let key = DocumentKey(tenantID: tenantID, agentID: agentID, version: version)
        if let known = parsed.withLock({ $0[key] }) { return known }
        var document = try PolicyDocument.decode(json: json.utf8)
        document.version = Int(clamping: version)
        parsed.withLock { cache in
            if cache.count >= Self.parsedCapacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = document
        }
        return document
    }

    /// The stored form: keys sorted, amounts as decimal strings, version included.
    static func normalisedJSON(_ document: PolicyDocument) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}
