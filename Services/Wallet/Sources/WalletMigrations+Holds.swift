extension WalletMigrations {
    /// Capture, Void and Refund of a hold. Each locks the agent's account first,
    /// then the hold.
    static let holds = #"""
CREATE FUNCTION wallet.lock_hold_account(p_tenant uuid, p_hold uuid) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    v_agent uuid;
BEGIN
    SELECT agent_id INTO v_agent FROM wallet.holds WHERE tenant_id = p_tenant AND hold_id = p_hold;
    IF FOUND THEN
        PERFORM 1 FROM wallet.accounts WHERE tenant_id = p_tenant AND account_id = v_agent FOR UPDATE;
    END IF;
    RETURN v_agent;
END $$;

CREATE FUNCTION wallet.hold_not_pending(p_status text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_status
        WHEN 'captured' THEN wallet.denial('failed_precondition', 'hold_already_captured', 'the hold was already captured')
        WHEN 'voided' THEN wallet.denial('failed_precondition', 'hold_voided', 'the hold was voided')
        ELSE wallet.denial('failed_precondition', 'hold_expired', 'the hold expired')
    END
$$;

CREATE FUNCTION wallet.capture(p_tenant uuid, p_principal text, p_key text, p_hold uuid, p_amount bigint,
                               p_caller_kind text, p_caller_id uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Capture', ARRAY[p_hold::text, p_amount::text]);
    v_prior jsonb;
    h record;
    v_amount bigint;
    v_balance bigint;
    v_held bigint;
    v_currency text;
    v_entry uuid;
BEGIN
    PERFORM wallet.lock_hold_account(p_tenant, p_hold);
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Capture', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    SELECT * INTO h FROM wallet.holds WHERE tenant_id = p_tenant AND hold_id = p_hold FOR UPDATE;
    IF NOT FOUND OR NOT ((p_caller_kind = 'provider' AND h.provider_id = p_caller_id)
                      OR (p_caller_kind = 'agent' AND h.agent_id = p_caller_id)) THEN
        RETURN wallet.denial('not_found', 'not_found', 'hold not found');
    END IF;
    v_amount := coalesce(p_amount, h.amount);
    IF h.status <> 'pending' THEN
        v_prior := wallet.hold_not_pending(h.status);
    ELSIF h.expires_at <= now() THEN
        v_prior := wallet.hold_not_pending('expired');
    ELSIF v_amount > h.amount THEN
        v_prior := wallet.denial('failed_precondition', 'amount_exceeds_hold', 'the amount exceeds the hold')
            || jsonb_build_object('hold_amount_micros', h.amount);
    END IF;
    IF v_prior IS NOT NULL THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Capture', v_hash, v_prior);
    END IF;
    UPDATE wallet.holds SET status = 'captured', captured = v_amount, settled_at = now()
     WHERE tenant_id = p_tenant AND hold_id = p_hold;
    UPDATE wallet.accounts SET balance = balance - v_amount, held = held - h.amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = h.agent_id
    RETURNING balance, held, currency INTO v_balance, v_held, v_currency;
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                agent_id, provider_id, category, hold_id, description)
    VALUES (p_tenant, 'capture', h.agent_id, h.provider_id, v_amount, v_currency,
            h.agent_id, h.provider_id, h.category, p_hold, h.description)
    RETURNING entry_id INTO v_entry;
    PERFORM wallet.release_counters(p_tenant, h.agent_id, h.counter_scopes, h.counter_windows, h.amount - v_amount, 0);
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Capture', v_hash, jsonb_build_object(
        'ok', true, 'hold_id', p_hold, 'entry_id', v_entry, 'captured_micros', v_amount,
        'released_micros', h.amount - v_amount, 'available_after_micros', v_balance - v_held,
        'currency', v_currency, 'created_at_us', wallet.us(now())));
END $$;

CREATE FUNCTION wallet.void(p_tenant uuid, p_principal text, p_key text, p_hold uuid,
                            p_caller_kind text, p_caller_id uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Void', ARRAY[p_hold::text]);
    v_prior jsonb;
    h record;
    v_balance bigint;
    v_held bigint;
BEGIN
    PERFORM wallet.lock_hold_account(p_tenant, p_hold);
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Void', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    SELECT * INTO h FROM wallet.holds WHERE tenant_id = p_tenant AND hold_id = p_hold FOR UPDATE;
    IF NOT FOUND OR NOT ((p_caller_kind = 'provider' AND h.provider_id = p_caller_id)
                      OR (p_caller_kind = 'agent' AND h.agent_id = p_caller_id)) THEN
        RETURN wallet.denial('not_found', 'not_found', 'hold not found');
    END IF;
    IF h.status <> 'pending' THEN
        v_prior := wallet.hold_not_pending(h.status);
    ELSIF h.expires_at <= now() THEN
        v_prior := wallet.hold_not_pending('expired');
    END IF;
    IF v_prior IS NOT NULL THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Void', v_hash, v_prior);
    END IF;
    UPDATE wallet.holds SET status = 'voided', settled_at = now() WHERE tenant_id = p_tenant AND hold_id = p_hold;
    UPDATE wallet.accounts SET held = held - h.amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = h.agent_id RETURNING balance, held INTO v_balance, v_held;
    PERFORM wallet.release_counters(p_tenant, h.agent_id, h.counter_scopes, h.counter_windows, h.amount, 1);
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Void', v_hash, jsonb_build_object(
        'ok', true, 'hold_id', p_hold, 'released_micros', h.amount,
        'available_after_micros', v_balance - v_held));
END $$;

CREATE FUNCTION wallet.refund(p_tenant uuid, p_principal text, p_key text, p_hold uuid, p_amount bigint,
                              p_reason text, p_caller_kind text, p_caller_id uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Refund', ARRAY[p_hold::text, p_amount::text, p_reason]);
    v_prior jsonb;
    h record;
    v_amount bigint;
    v_balance bigint;
    v_held bigint;
    v_currency text;
    v_entry uuid;
BEGIN
    PERFORM wallet.lock_hold_account(p_tenant, p_hold);
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Refund', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    SELECT * INTO h FROM wallet.holds WHERE tenant_id = p_tenant AND hold_id = p_hold FOR UPDATE;
    IF NOT FOUND OR NOT ((p_caller_kind = 'provider' AND h.provider_id = p_caller_id)
                      OR p_caller_kind = 'admin') THEN
        RETURN wallet.denial('not_found', 'not_found', 'hold not found');
    END IF;
    v_amount := coalesce(p_amount, h.captured - h.refunded);
    IF h.status <> 'captured' THEN
        v_prior := wallet.denial('failed_precondition', 'hold_not_captured', 'the hold has no capture to refund');
    ELSIF v_amount <= 0 OR v_amount > h.captured - h.refunded THEN
        v_prior := wallet.denial('failed_precondition', 'refund_exceeds_capture', 'the amount exceeds what is left to refund')
            || jsonb_build_object('refundable_micros', h.captured - h.refunded);
    END IF;
    IF v_prior IS NOT NULL THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Refund', v_hash, v_prior);
    END IF;
    UPDATE wallet.holds SET refunded = refunded + v_amount WHERE tenant_id = p_tenant AND hold_id = p_hold;
    UPDATE wallet.accounts SET balance = balance + v_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = h.agent_id
    RETURNING balance, held, currency INTO v_balance, v_held, v_currency;
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                agent_id, provider_id, category, hold_id, description)
    VALUES (p_tenant, 'refund', h.provider_id, h.agent_id, v_amount, v_currency,
            h.agent_id, h.provider_id, h.category, p_hold, coalesce(p_reason, ''))
    RETURNING entry_id INTO v_entry;
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Refund', v_hash, jsonb_build_object(
        'ok', true, 'hold_id', p_hold, 'entry_id', v_entry, 'refunded_micros', v_amount,
        'total_refunded_micros', h.refunded + v_amount, 'available_after_micros', v_balance - v_held,
        'currency', v_currency, 'created_at_us', wallet.us(now())));
END $$;
"""#
}
