import Foundation
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
    ///   window and level (`dedupe_key`): noted by `authorize_agents` while it
    ///   checks the limit and written by `wallet.note_limit_crossings`;
    /// - `authorization.denied` for the first refusal of each agent and reason
    ///   in each minute (a looping agent cannot flood a receiver): a row trigger
    ///   on `wallet.denials`.
    ///
    /// `authorize_agents` is migration 5's function with the crossing checks
    /// inserted; it is derived from that text (which never changes once
    /// applied) rather than written out twice.
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

CREATE FUNCTION wallet.note_limit_crossings(p_tenant uuid, p_agent uuid, p_crossed jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.event_outbox (tenant_id, type, agent_id, dedupe_key, data)
    SELECT p_tenant, 'agent.limit_reached', p_agent,
           concat_ws(':', 'limit', p_agent, c->>'rule', c->>'window', c->>'measure',
                     coalesce(c->>'cap_micros', c->>'cap_count'), c->>'percent'),
           jsonb_build_object('agent_id', p_agent) || c
      FROM jsonb_array_elements(p_crossed) AS c
    ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
END $$;
"""#

    /// Migration 5's `authorize_agents` with the crossings noted: while it
    /// checks a limit it already holds the counter and the cap, so it notes
    /// (in `v_crossed`) the 80 % and 100 % marks the spend would cross, and an
    /// approved spend hands them to `note_limit_crossings` before it is
    /// counted. A spend that crosses nothing costs two comparisons per limit.
    package static var authorizeWithLimitEvents: String {
        var function = createOrReplace("wallet.authorize_agents", from: agentPayees)
        let declarations = "    v_payee_status text;\n"
        replaceOnce(declarations, with: declarations + "    v_crossed jsonb;\n", in: &function)
        let perRequest = "                v_scopes := '{}'; v_windows := '{}';\n"
        replaceOnce(perRequest, with: perRequest + "                v_crossed := NULL;\n", in: &function)
        let counting = "                    -- Limits of one scope share one counter: checked each, counted once.\n"
        replaceOnce(counting, with: #"""
                    -- The marks this spend would cross (kept only if it is approved).
                    IF v_spent < lim.cap - lim.cap / 5 AND v_spent + v_amount >= lim.cap - lim.cap / 5 THEN
                        v_crossed := coalesce(v_crossed, '[]') || jsonb_build_object('rule', lim.scope, 'window', lim.win, 'measure', 'amount',
                            'percent', 80, 'spent_micros', v_spent + v_amount, 'cap_micros', lim.cap);
                    END IF;
                    IF v_spent < lim.cap AND v_spent + v_amount >= lim.cap THEN
                        v_crossed := coalesce(v_crossed, '[]') || jsonb_build_object('rule', lim.scope, 'window', lim.win, 'measure', 'amount',
                            'percent', 100, 'spent_micros', v_spent + v_amount, 'cap_micros', lim.cap);
                    END IF;
                    IF lim.cap_count IS NOT NULL THEN
                        IF v_count < lim.cap_count - lim.cap_count / 5 AND v_count + 1 >= lim.cap_count - lim.cap_count / 5 THEN
                            v_crossed := coalesce(v_crossed, '[]') || jsonb_build_object('rule', lim.scope, 'window', lim.win, 'measure', 'count',
                                'percent', 80, 'count', v_count + 1, 'cap_count', lim.cap_count);
                        END IF;
                        IF v_count + 1 = lim.cap_count THEN
                            v_crossed := coalesce(v_crossed, '[]') || jsonb_build_object('rule', lim.scope, 'window', lim.win, 'measure', 'count',
                                'percent', 100, 'count', v_count + 1, 'cap_count', lim.cap_count);
                        END IF;
                    END IF;

            """# + counting, in: &function)
        let upsert = "            INSERT INTO wallet.spend_counters AS c"
        replaceOnce(upsert, with: """
                        IF v_crossed IS NOT NULL THEN
                            PERFORM wallet.note_limit_crossings(p_tenant, v_agent, v_crossed);
                        END IF;

            """ + upsert, in: &function)
        return function
    }

    /// Migration 5's `authorize_agents` as `CREATE OR REPLACE`.
}
