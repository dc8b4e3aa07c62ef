extension IdentityMigrations {
    /// Sub-agents: an agent created by another agent records its parent, every
    /// ancestor (root first) and its depth. The ancestry never changes, so a
    /// subtree is `$agent = ANY(ancestors)` and the whole tree of an agent is
    /// read with one index. A revocation notice carries where the revoked
    /// agent's unspent balance goes (`return_to`, NULL for the treasury).
    static let subAgents = """
        ALTER TABLE identity.agents
            ADD COLUMN parent_agent_id uuid,
            ADD COLUMN ancestors uuid[] NOT NULL DEFAULT '{}',
            ADD COLUMN depth int NOT NULL DEFAULT 0 CHECK (depth >= 0),
            ADD CONSTRAINT agents_parent_fk FOREIGN KEY (tenant_id, parent_agent_id)
                REFERENCES identity.agents (tenant_id, agent_id),
            ADD CONSTRAINT agents_ancestry CHECK (
                (parent_agent_id IS NULL AND depth = 0 AND cardinality(ancestors) = 0)
                OR (parent_agent_id IS NOT NULL AND depth = cardinality(ancestors)
                    AND ancestors[cardinality(ancestors)] = parent_agent_id));
        CREATE INDEX agents_children ON identity.agents (tenant_id, parent_agent_id) WHERE parent_agent_id IS NOT NULL;
        CREATE INDEX agents_ancestors ON identity.agents USING gin (ancestors);

        ALTER TABLE identity.revocation_outbox ADD COLUMN return_to uuid;
        """
}
