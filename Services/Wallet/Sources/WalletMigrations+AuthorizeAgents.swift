extension WalletMigrations {
    /// Authorize and Charge for several agents in one transaction: group
    /// commit across agents, so concurrent authorizations of different agents
    /// share one round trip and one commit.
    ///
    /// `p_groups` is a JSON array of `{"tenant", "agent", "requests"}`, each
    /// `requests` what `authorize_batch` takes for that agent. Agents are
    /// decided in (tenant, agent) order whatever order they come in, so two
    /// such transactions lock account rows in the same order and cannot
    /// deadlock on them. Answers one row per request: the index of its group
    /// in `p_groups` (from 0) and its outcome, requests of a group in order.
    static let authorizeAgents = #"""
CREATE FUNCTION wallet.authorize_agents(p_groups jsonb)
RETURNS TABLE (group_index integer, outcome jsonb) LANGUAGE plpgsql AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT (x.ord - 1)::integer AS idx, (x.e->>'tenant')::uuid AS tenant, (x.e->>'agent')::uuid AS agent,
                    x.e->'requests' AS requests
               FROM jsonb_array_elements(p_groups) WITH ORDINALITY AS x(e, ord)
              ORDER BY 2, 3, 1 LOOP
        group_index := g.idx;
        FOR outcome IN SELECT b.o FROM wallet.authorize_batch(g.tenant, g.agent, g.requests) AS b(o) LOOP
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
"""#
}
