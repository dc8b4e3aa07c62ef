import PurserPostgres
import PurserRPC
import PurserService

/// Sub-agents for tests while Identity does not serve `CreateSubAgent` yet:
/// an agent made by `CreateAgent` (so it has its secret, address and account)
/// is placed under a parent by writing Identity's ancestry columns
/// (migration 3: `parent_agent_id`, `ancestors`, `depth`) in its database,
/// exactly as `CreateSubAgent` will store them. Replace each use by
/// `CreateSubAgent` once it is served.
package enum SubAgentStandIn {
    /// Makes agent `child` of tenant `tenantID` a child of agent `parent`
    /// (its ancestors become the parent's, then the parent; its depth the
    /// parent's + 1) in the database of the Identity running on `identity`.
    /// Call it before any service has cached the child's ancestry.
    package static func adopt(child: String, parent: String, tenantID: String, identity: ServiceHost) async throws {
        let updated = try await identity.pool.withConnection { connection in
            try connection.execute(
                """
                UPDATE identity.agents c
                SET parent_agent_id = p.agent_id, ancestors = p.ancestors || p.agent_id, depth = p.depth + 1
                FROM identity.agents p
                WHERE c.tenant_id = $1::uuid AND c.agent_id = $2::uuid AND p.tenant_id = $1::uuid AND p.agent_id = $3::uuid
                """, [tenantID, child, parent])
        }
        guard updated == 1 else {
            throw RPCError(.internal, "adopting agent \(child) under \(parent) updated \(updated) rows, not 1")
        }
    }
}
