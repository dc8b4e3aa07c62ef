extension WalletMigrations {
    /// Authorize and Charge for several agents of one tenant in one
    /// transaction: group commit across agents, so concurrent authorizations
    /// of different agents share one round trip and one commit. One tenant per
    /// call, so the transaction stays on one tenant's rows (and on one node
    /// when the ledger is distributed by tenant).
    ///
    /// `p_groups` is a JSON array of `{"agent", "requests"}`, each `requests`
    /// what `authorize_batch` takes for that agent. Agents are decided in
    /// agent order whatever order they come in, so two such transactions lock
    /// account rows in the same order and cannot deadlock on them. Answers one
    /// row per request: the index of its group in `p_groups` (from 0) and its
    /// outcome, requests of a group in order.
    static let authorizeAgents = #"""
CREATE FUNCTION wallet.authorize_agents(p_tenant uuid, p_groups jsonb)
RETURNS TABLE (group_index integer, outcome jsonb) LANGUAGE plpgsql AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT (x.ord - 1)::integer AS idx, (x.e->>'agent')::uuid AS agent, x.e->'requests' AS requests
               FROM jsonb_array_elements(p_groups) WITH ORDINALITY AS x(e, ord)
              ORDER BY 2, 1 LOOP
        group_index := g.idx;
        FOR outcome IN SELECT b.o FROM wallet.authorize_batch(p_tenant, g.agent, g.requests) AS b(o) LOOP
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
"""#
}
