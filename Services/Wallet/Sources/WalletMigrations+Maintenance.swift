extension WalletMigrations {
    /// Freezing a revoked agent's account, releasing expired holds and purging old
    /// idempotency records.
    static let maintenance = #"""
CREATE FUNCTION wallet.freeze(p_tenant uuid, p_agent uuid, p_currency text, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_count bigint := 0;
    v_total bigint := 0;
    h record;
BEGIN
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency, status, status_reason)
    VALUES (p_tenant, p_agent, 'agent', p_currency, 'revoked', coalesce(p_reason, ''))
    ON CONFLICT DO NOTHING;
    SELECT status INTO v_status FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = p_agent AND kind = 'agent' FOR UPDATE;
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
     WHERE tenant_id = p_tenant AND account_id = p_agent;
    RETURN jsonb_build_object('ok', true, 'voided_holds', v_count, 'released_micros', v_total,
                              'already_revoked', v_status = 'revoked' AND v_count = 0);
END $$;

CREATE FUNCTION wallet.sweep_expired(p_limit int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    acct record;
    h record;
    v_total bigint;
    v_swept bigint := 0;
BEGIN
    FOR acct IN SELECT a.tenant_id, a.account_id FROM wallet.accounts a
                 WHERE (a.tenant_id, a.account_id) IN (
                       SELECT DISTINCT x.tenant_id, x.agent_id FROM (
                           SELECT tenant_id, agent_id FROM wallet.holds
                            WHERE status = 'pending' AND expires_at <= now()
                            ORDER BY expires_at LIMIT p_limit) x)
                 FOR UPDATE OF a SKIP LOCKED LOOP
        v_total := 0;
        FOR h IN SELECT hold_id, amount, counter_scopes, counter_windows FROM wallet.holds
                  WHERE tenant_id = acct.tenant_id AND agent_id = acct.account_id
                    AND status = 'pending' AND expires_at <= now()
                  FOR UPDATE SKIP LOCKED LOOP
            UPDATE wallet.holds SET status = 'expired', settled_at = now()
             WHERE tenant_id = acct.tenant_id AND hold_id = h.hold_id;
            PERFORM wallet.release_counters(acct.tenant_id, acct.account_id, h.counter_scopes, h.counter_windows, h.amount, 1);
            v_total := v_total + h.amount;
            v_swept := v_swept + 1;
        END LOOP;
        IF v_total > 0 THEN
            UPDATE wallet.accounts SET held = held - v_total, updated_at = now()
             WHERE tenant_id = acct.tenant_id AND account_id = acct.account_id;
        END IF;
    END LOOP;
    RETURN v_swept;
END $$;

CREATE FUNCTION wallet.purge_idempotency(p_retention_us bigint, p_limit int) RETURNS bigint
LANGUAGE sql AS $$
    WITH doomed AS (
        SELECT tenant_id, principal, idem_key FROM wallet.idempotency
         WHERE created_at < now() - p_retention_us * interval '1 microsecond'
         ORDER BY created_at LIMIT p_limit
    ), gone AS (
        DELETE FROM wallet.idempotency i USING doomed d
         WHERE i.tenant_id = d.tenant_id AND i.principal = d.principal AND i.idem_key = d.idem_key
        RETURNING 1
    )
    SELECT count(*) FROM gone
$$;
"""#
}
