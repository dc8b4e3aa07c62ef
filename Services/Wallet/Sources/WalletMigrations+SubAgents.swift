extension WalletMigrations {
    /// Migration 8: credits move within an agent tree.
    /// - `delegate` (Allocate with `from_agent_id`): an ancestor's available
    ///   balance to a descendant; `return` (Reclaim with `to_agent_id`): a
    ///   descendant's available balance back to an ancestor. Whether the two
    ///   are related is Identity's to say (the Wallet asks before calling);
    ///   the function takes both agent accounts' locks in account-id order.
    /// - `wallet.freeze` gains where the revoked balance goes: after voiding
    ///   the holds, the account's whole balance moves (`return`) to the
    ///   nearest live ancestor's account, or to the treasury when there is
    ///   none (or that account is itself revoked by then). A repeat moves
    ///   nothing. Lock order: treasury, agent accounts by id, holds.
    /// - A revoked account emptied by its return fires no `agent.balance_depleted`.
    /// - The audit (migration 7's, whole) also checks that `delegate` entries join two agent accounts and
    ///   `return` entries leave an agent account for an agent or the treasury.
    static var subAgents: String {
        [subAgentFunctions, auditWithTreeMoves].joined(separator: "\n\n")
    }

    static let subAgentFunctions = #"""
ALTER TABLE wallet.entries DROP CONSTRAINT entries_kind_check;
ALTER TABLE wallet.entries ADD CONSTRAINT entries_kind_check
    CHECK (kind IN ('fund', 'allocate', 'reclaim', 'capture', 'refund', 'transfer', 'transfer_out', 'transfer_in',
                    'delegate', 'return'));

CREATE FUNCTION wallet.move_in_tree(p_tenant uuid, p_principal text, p_key text, p_currency text,
                                    p_agent uuid, p_other uuid, p_amount bigint, p_kind text, p_description text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_method text := CASE p_kind WHEN 'delegate' THEN 'Allocate' ELSE 'Reclaim' END;
    v_hash bytea := wallet.request_hash(v_method, ARRAY[p_agent::text, p_amount::text, p_description, p_other::text]);
    v_prior jsonb;
    v_from uuid := CASE p_kind WHEN 'delegate' THEN p_other ELSE p_agent END;
    v_to uuid := CASE p_kind WHEN 'delegate' THEN p_agent ELSE p_other END;
    f record;
    t record;
    v_treasury bigint;
    v_entry uuid;
    v_at timestamptz;
BEGIN
    IF p_kind NOT IN ('delegate', 'return') OR p_agent = p_other THEN
        RAISE EXCEPTION 'bad move in tree % % %', p_kind, p_agent, p_other USING ERRCODE = '22023';
    END IF;
    PERFORM wallet.ensure_tenant_accounts(p_tenant, p_currency);
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency)
    VALUES (p_tenant, p_agent, 'agent', p_currency), (p_tenant, p_other, 'agent', p_currency) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM wallet.accounts
      WHERE tenant_id = p_tenant AND account_id IN (p_agent, p_other) ORDER BY account_id FOR UPDATE;
    SELECT balance, held, status, kind INTO f FROM wallet.accounts WHERE tenant_id = p_tenant AND account_id = v_from;
    SELECT balance, held, status, kind INTO t FROM wallet.accounts WHERE tenant_id = p_tenant AND account_id = v_to;
    IF f.kind <> 'agent' OR t.kind <> 'agent' THEN
        RETURN wallet.denial('not_found', 'not_found', 'agent not found');
    END IF;
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, v_method, v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    IF t.status = 'revoked' OR (p_kind = 'delegate' AND f.status = 'revoked') THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash,
            wallet.denial('failed_precondition', 'agent_revoked', 'the agent is revoked'));
    END IF;
    IF f.balance - f.held < p_amount THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash,
            wallet.denial('failed_precondition', 'insufficient_funds', 'the paying agent has less available than the amount')
            || jsonb_build_object('available_micros', f.balance - f.held));
    END IF;
    UPDATE wallet.accounts SET balance = balance - p_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = v_from RETURNING balance INTO f.balance;
    UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = v_to RETURNING balance INTO t.balance;
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id, description)
    VALUES (p_tenant, p_kind, v_from, v_to, p_amount, p_currency, p_agent, p_description)
    RETURNING entry_id, created_at INTO v_entry, v_at;
    SELECT balance INTO v_treasury FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = wallet.treasury_account(p_tenant);
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash, jsonb_build_object(
        'ok', true, 'entry_id', v_entry, 'amount_micros', p_amount,
        'agent_balance_micros', CASE p_kind WHEN 'delegate' THEN t.balance ELSE f.balance END,
        'agent_available_micros', CASE p_kind WHEN 'delegate' THEN t.balance - t.held ELSE f.balance - f.held END,
        'counterpart_balance_micros', CASE p_kind WHEN 'delegate' THEN f.balance ELSE t.balance END,
        'counterpart_available_micros', CASE p_kind WHEN 'delegate' THEN f.balance - f.held ELSE t.balance - t.held END,
        'treasury_balance_micros', v_treasury, 'currency', p_currency, 'created_at_us', wallet.us(v_at)));
END $$;

-- A revoked account emptied by its return is not news: no agent.balance_depleted for it.
DROP TRIGGER accounts_balance_events ON wallet.accounts;
CREATE TRIGGER accounts_balance_events AFTER UPDATE OF balance, held ON wallet.accounts
    FOR EACH ROW WHEN (NEW.kind = 'agent' AND NEW.status <> 'revoked' AND (
        (NEW.balance_low > 0 AND OLD.balance - OLD.held >= NEW.balance_low AND NEW.balance - NEW.held < NEW.balance_low)
        OR (OLD.balance - OLD.held > 0 AND NEW.balance - NEW.held <= 0)))
    EXECUTE FUNCTION wallet.balance_events();

DROP FUNCTION wallet.freeze(uuid, uuid, text, text);

CREATE FUNCTION wallet.freeze(p_tenant uuid, p_agent uuid, p_currency text, p_reason text, p_return_to uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_count bigint := 0;
    v_total bigint := 0;
    v_treasury uuid := wallet.treasury_account(p_tenant);
    v_target uuid;
    v_move bigint;
    h record;
BEGIN
    PERFORM wallet.ensure_tenant_accounts(p_tenant, p_currency);
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency, status, status_reason)
    VALUES (p_tenant, p_agent, 'agent', p_currency, 'revoked', coalesce(p_reason, ''))
    ON CONFLICT DO NOTHING;
    IF p_return_to IS NOT NULL AND p_return_to <> p_agent THEN
        INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency)
        VALUES (p_tenant, p_return_to, 'agent', p_currency) ON CONFLICT DO NOTHING;
    END IF;
    PERFORM 1 FROM wallet.accounts WHERE tenant_id = p_tenant AND account_id = v_treasury FOR UPDATE;
    PERFORM 1 FROM wallet.accounts
      WHERE tenant_id = p_tenant AND account_id IN (p_agent, p_return_to) AND kind = 'agent'
      ORDER BY account_id FOR UPDATE;
    SELECT status INTO v_status FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = p_agent AND kind = 'agent';
    IF NOT FOUND THEN
        RETURN wallet.denial('not_found', 'not_found', 'agent not found');
    END IF;
    FOR h IN SELECT hold_id, amount, counter_scopes, counter_windows FROM wallet.holds
              WHERE tenant_id = p_tenant AND agent_id = p_agent AND status = 'pending' FOR UPDATE LOOP
        UPDATE wallet.holds SET status = 'voided', settled_at = now() WHERE tenant_id = p_tenant AND hold_id = h.hold_id;
        PERFORM wallet.release_counters(p_tenant, p_agent, h.counter_scopes, h.counter_windows, h.amount, 1);
        v_count := v_count + 1;
        v_total := v_total + h.amount;
    END LOOP;
    UPDATE wallet.accounts
       SET status = 'revoked', held = held - v_total, updated_at = now(),
           status_reason = CASE WHEN status = 'revoked' THEN status_reason ELSE coalesce(p_reason, '') END
     WHERE tenant_id = p_tenant AND account_id = p_agent
    RETURNING balance - held INTO v_move;
    -- The nearest live ancestor receives the balance; a revoked one (or none) leaves it to the treasury.
    SELECT account_id INTO v_target FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = p_return_to AND account_id <> p_agent
       AND kind = 'agent' AND status <> 'revoked';
    v_target := coalesce(v_target, v_treasury);
    IF v_move > 0 THEN
        UPDATE wallet.accounts SET balance = balance - v_move, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = p_agent;
        UPDATE wallet.accounts SET balance = balance + v_move, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = v_target;
        INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id, description)
        VALUES (p_tenant, 'return', p_agent, v_target, v_move, p_currency, p_agent, 'balance of a revoked agent');
    END IF;
    RETURN jsonb_build_object('ok', true, 'voided_holds', v_count, 'released_micros', v_total,
                              'returned_micros', greatest(v_move, 0),
                              'returned_to', CASE WHEN v_target = v_treasury THEN '' ELSE v_target::text END,
                              'already_revoked', v_status = 'revoked' AND v_count = 0);
END $$;
"""#

    /// Migration 7's audit (the latest), replaced whole, with the tree moves checked.
    static var auditWithTreeMoves: String {
        let closing = "\n$$;"
        guard let start = crossTenant.range(of: "CREATE OR REPLACE FUNCTION wallet.audit"), crossTenant.hasSuffix(closing) else {
            preconditionFailure("migration 7 no longer ends with the audit function")
        }
        return crossTenant[start.lowerBound...].dropLast(closing.count) + #"""

    UNION ALL
    SELECT e.tenant_id, 'tree_moves_join_agents', e.entry_id::text, 0, 1
      FROM wallet.entries e
      JOIN wallet.accounts d ON d.tenant_id = e.tenant_id AND d.account_id = e.debit_account
      JOIN wallet.accounts c ON c.tenant_id = e.tenant_id AND c.account_id = e.credit_account
     WHERE (p_tenant IS NULL OR e.tenant_id = p_tenant) AND e.kind IN ('delegate', 'return')
       AND (d.kind <> 'agent' OR c.kind NOT IN ('agent', CASE e.kind WHEN 'return' THEN 'treasury' END))
$$;
"""#
    }
}
