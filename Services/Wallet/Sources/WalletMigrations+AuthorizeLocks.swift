extension WalletMigrations {
    /// Migration 9: `authorize_agents` creates and locks payee and position
    /// accounts only when a request of the batch pays an agent.
    ///
    /// Migration 7 made every batch run two statements for them (an insert of
    /// missing payee and position accounts, then one lock of every touched
    /// account in account order) before its loop over the payers. A batch
    /// that pays only providers touches no account but its payers', and the
    /// loop already locks each payer `FOR UPDATE` in account order, so for it
    /// both statements found nothing to do yet cost about a third of the
    /// function's time (with `pg_stat_statements.track = all`, 0.31 of
    /// 1.20 ms per authorization at 8 clients). The lock order is unchanged:
    /// a batch paying an agent still locks every account first, in account
    /// order; one paying providers locks its payers in account order.
    static var authorizeLocks: String { authorizeAgents(events: true) }

    /// The current `authorize_agents` (migration 7's, as migration 9 changed
    /// it) as `CREATE OR REPLACE`, with its limit events (`events: true`) or
    /// without the call that writes them, for the bench that measures the
    /// Wallet with events off and on.
    package static func authorizeAgents(events: Bool) -> String {
        var function = createOrReplace("wallet.authorize_agents", from: crossTenant)
        let creating = "    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency, counter_tenant)\n"
        replaceOnce(creating, with: """
                -- Only a batch paying an agent touches accounts besides its payers'.
                IF 'agent' = ANY(p_payee_kind) THEN

            """ + creating, in: &function)
        let locking = "     ORDER BY acc.account_id FOR UPDATE OF acc;\n"
        replaceOnce(locking, with: locking + "    END IF;\n", in: &function)
        if !events {
            replaceOnce("""
                            IF v_crossed IS NOT NULL THEN
                                PERFORM wallet.note_limit_crossings(p_tenant, v_agent, v_crossed);
                            END IF;

                """, with: "", in: &function)
        }
        return function
    }
}
