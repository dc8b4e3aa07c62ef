import PurserService

extension WalletMigrations {
    /// Migration 6: the Wallet's events for webhooks, in `wallet.event_outbox`
    /// (relayed to Identity by `EventRelay`), each written by the transaction
    /// that causes it:
    /// - `agent.balance_low` when an agent's available balance falls from at
    ///   least its `balance_low` threshold to below it, and
    ///   `agent.balance_depleted` when it falls from above zero to zero: a row
    ///   trigger on the account whose condition is the crossing itself, so a
    ///   spend that stays below fires nothing and a refill re-arms it;
    /// - `agent.limit_reached` when an approved spend takes a limit's counter
    ///   across 80 % or 100 % of its cap (amount or count), once per limit,
    ///   window and level (`dedupe_key`): `wallet.note_limit_crossings`, called
    ///   by `authorize_agents` before it counts the spend;
    /// - `authorization.denied` for the first refusal of each agent and reason
    ///   in each minute (a looping agent cannot flood a receiver): a row trigger
    ///   on `wallet.denials`.
    ///
    /// `note_limit_crossings` is PL/pgSQL so its statement's plan is kept per
    /// connection (a SQL function's is made again at every call).
    /// `authorize_agents` is migration 5's function with the one call added
    /// before its counter update; it is derived from that text (which never
    /// changes once applied) rather than written out twice.
    static var events: String {
        [EventOutbox.tableSQL(schema: schema), eventTriggers, authorizeWithLimitEvents].joined(separator: "\n\n")
    }

    static let eventTriggers = #"""
ALTER TABLE wallet.accounts ADD COLUMN balance_low bigint NOT NULL DEFAULT 0 CHECK (balance_low >= 0);

CREATE FUNCTION wallet.balance_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_before bigint := OLD.balance - OLD.held;
    v_after bigint := NEW.balance - NEW.held;
BEGIN
    IF NEW.balance_low > 0 AND v_before >= NEW.balance_low AND v_after < NEW.balance_low THEN
        INSERT INTO wallet.event_outbox (tenant_id, type, agent_id, data)
        VALUES (NEW.tenant_id, 'agent.balance_low', NEW.account_id,
                jsonb_build_object('agent_id', NEW.account_id, 'available_micros', v_after,
                                   'threshold_micros', NEW.balance_low, 'currency', NEW.currency));
    END IF;
    IF v_before > 0 AND v_after <= 0 THEN
        INSERT INTO wallet.event_outbox (tenant_id, type, agent_id, data)
        VALUES (NEW.tenant_id, 'agent.balance_depleted', NEW.account_id,
                jsonb_build_object('agent_id', NEW.account_id, 'available_micros', v_after, 'currency', NEW.currency));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER accounts_balance_events AFTER UPDATE OF balance, held ON wallet.accounts
    FOR EACH ROW WHEN (NEW.kind = 'agent' AND (
        (NEW.balance_low > 0 AND OLD.balance - OLD.held >= NEW.balance_low AND NEW.balance - NEW.held < NEW.balance_low)
        OR (OLD.balance - OLD.held > 0 AND NEW.balance - NEW.held <= 0)))
    EXECUTE FUNCTION wallet.balance_events();

CREATE FUNCTION wallet.denial_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.event_outbox (tenant_id, type, agent_id, dedupe_key, data)
    VALUES (NEW.tenant_id, 'authorization.denied', NEW.agent_id,
            concat_ws(':', 'denied', NEW.agent_id, NEW.reason, floor(extract(epoch FROM NEW.created_at) / 60)::bigint),
            jsonb_strip_nulls(jsonb_build_object(
                'agent_id', NEW.agent_id, 'method', NEW.method, 'reason', NEW.reason, 'rule', nullif(NEW.rule, ''),
                'headroom_micros', NEW.headroom, 'amount_micros', NEW.amount, 'payee_id', nullif(NEW.provider_id, ''),
                'category', nullif(NEW.category, ''), 'message', NEW.message, 'sample_window_seconds', 60)))
    ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER denials_events AFTER INSERT ON wallet.denials
    FOR EACH ROW EXECUTE FUNCTION wallet.denial_events();

CREATE FUNCTION wallet.note_limit_crossings(
    p_tenant uuid, p_agent uuid, p_request integer, p_amount bigint,
    p_limit_request integer[], p_limit_scope text[], p_limit_window text[], p_limit_cap bigint[], p_limit_cap_count bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.event_outbox (tenant_id, type, agent_id, dedupe_key, data)
    SELECT p_tenant, 'agent.limit_reached', p_agent,
           concat_ws(':', 'limit', p_agent, l.scope, l.win, m.measure, m.cap, p.percent),
           jsonb_strip_nulls(jsonb_build_object(
               'agent_id', p_agent, 'rule', l.scope, 'window', l.win, 'measure', m.measure, 'percent', p.percent,
               'spent_micros', coalesce(c.spent, 0) + p_amount, 'cap_micros', l.cap,
               'count', coalesce(c.count, 0) + 1, 'cap_count', l.cap_count))
      FROM unnest(p_limit_request, p_limit_scope, p_limit_window, p_limit_cap, p_limit_cap_count)
           AS l(request, scope, win, cap, cap_count)
      LEFT JOIN wallet.spend_counters c
        ON c.tenant_id = p_tenant AND c.agent_id = p_agent AND c.scope_key = l.scope AND c.window_key = l.win
     CROSS JOIN LATERAL (VALUES
           ('amount', coalesce(c.spent, 0)::numeric, coalesce(c.spent, 0)::numeric + p_amount, l.cap::numeric),
           ('count', coalesce(c.count, 0)::numeric, coalesce(c.count, 0)::numeric + 1, l.cap_count::numeric))
           AS m(measure, before, after, cap)
     CROSS JOIN (VALUES (80), (100)) AS p(percent)
     WHERE l.request = p_request AND m.cap > 0
       AND m.before * 100 < m.cap * p.percent AND m.after * 100 >= m.cap * p.percent
    ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
END $$;
"""#

    /// Migration 5's `authorize_agents` with `note_limit_crossings` called
    /// before an approved spend is counted.
    package static var authorizeWithLimitEvents: String {
        let (head, tail) = authorizeOfMigration5
        let hook = """
                        IF cardinality(v_scopes) > 0 THEN
                            PERFORM wallet.note_limit_crossings(p_tenant, v_agent, i, v_amount, p_limit_request, p_limit_scope,
                                                                p_limit_window, p_limit_cap, p_limit_cap_count);
                        END IF;

            """
        return head + hook + tail
    }

    /// Migration 5's `authorize_agents` as it was (as `CREATE OR REPLACE`),
    /// for the bench that measures the Wallet with events off.
    package static var authorizeWithoutEvents: String {
        let (head, tail) = authorizeOfMigration5
        return head + tail
    }

    /// Migration 5's `authorize_agents` as `CREATE OR REPLACE`, split before its counter update.
    private static var authorizeOfMigration5: (head: String, tail: String) {
        let counting = "            INSERT INTO wallet.spend_counters AS c"
        guard let start = agentPayees.range(of: "CREATE FUNCTION wallet.authorize_agents("),
              let end = agentPayees.range(of: "END $$;", range: start.upperBound..<agentPayees.endIndex),
              let count = agentPayees.range(of: counting, range: start.upperBound..<end.lowerBound)
        else { preconditionFailure("migration 5 no longer holds authorize_agents as written") }
        return ("CREATE OR REPLACE" + agentPayees[agentPayees.index(start.lowerBound, offsetBy: 6)..<count.lowerBound],
                String(agentPayees[count.lowerBound..<end.upperBound]))
    }
}
