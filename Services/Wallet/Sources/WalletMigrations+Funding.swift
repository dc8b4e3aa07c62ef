extension WalletMigrations {
    /// Fund (funding → treasury) and Allocate/Reclaim (treasury ↔ agent).
    /// Lock order: funding, treasury, agent.
    static let funding = #"""
CREATE FUNCTION wallet.fund(p_tenant uuid, p_principal text, p_key text, p_currency text,
                            p_amount bigint, p_reference text, p_description text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Fund', ARRAY[p_amount::text, p_reference, p_description]);
    v_prior jsonb;
    v_funding uuid := wallet.funding_account(p_tenant);
    v_treasury uuid := wallet.treasury_account(p_tenant);
    v_balance bigint;
    v_entry uuid;
    v_at timestamptz;
BEGIN
    PERFORM wallet.ensure_tenant_accounts(p_tenant, p_currency);
    PERFORM 1 FROM wallet.accounts
      WHERE tenant_id = p_tenant AND account_id IN (v_funding, v_treasury) ORDER BY kind FOR UPDATE;
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Fund', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    UPDATE wallet.accounts SET balance = balance - p_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = v_funding;
    UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = v_treasury
    RETURNING balance INTO v_balance;
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, reference, description)
    VALUES (p_tenant, 'fund', v_funding, v_treasury, p_amount, p_currency, p_reference, p_description)
    RETURNING entry_id, created_at INTO v_entry, v_at;
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Fund', v_hash, jsonb_build_object(
        'ok', true, 'entry_id', v_entry, 'amount_micros', p_amount,
        'treasury_balance_micros', v_balance, 'currency', p_currency, 'created_at_us', wallet.us(v_at)));
END $$;

CREATE FUNCTION wallet.transfer(p_tenant uuid, p_principal text, p_key text, p_currency text,
                                p_agent uuid, p_amount bigint, p_kind text, p_description text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_method text := CASE p_kind WHEN 'allocate' THEN 'Allocate' ELSE 'Reclaim' END;
    v_hash bytea := wallet.request_hash(v_method, ARRAY[p_agent::text, p_amount::text, p_description]);
    v_prior jsonb;
    v_treasury uuid := wallet.treasury_account(p_tenant);
    t record;
    a record;
    v_entry uuid;
    v_at timestamptz;
BEGIN
    IF p_kind NOT IN ('allocate', 'reclaim') THEN
        RAISE EXCEPTION 'unknown transfer kind %', p_kind USING ERRCODE = '22023';
    END IF;
    PERFORM wallet.ensure_tenant_accounts(p_tenant, p_currency);
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency)
    VALUES (p_tenant, p_agent, 'agent', p_currency) ON CONFLICT DO NOTHING;
    SELECT balance, held INTO t FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = v_treasury FOR UPDATE;
    SELECT balance, held, status INTO a FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = p_agent AND kind = 'agent' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN wallet.denial('not_found', 'not_found', 'agent not found');
    END IF;
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, v_method, v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    IF p_kind = 'allocate' THEN
        IF a.status = 'revoked' THEN
            RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash,
                wallet.denial('failed_precondition', 'agent_revoked', 'the agent is revoked'));
        END IF;
        IF t.balance - t.held < p_amount THEN
            RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash,
                wallet.denial('failed_precondition', 'insufficient_funds', 'the treasury holds less than the amount')
                || jsonb_build_object('available_micros', t.balance - t.held));
        END IF;
        UPDATE wallet.accounts SET balance = balance - p_amount, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = v_treasury RETURNING balance INTO t.balance;
        UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = p_agent RETURNING balance INTO a.balance;
        INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id, description)
        VALUES (p_tenant, 'allocate', v_treasury, p_agent, p_amount, p_currency, p_agent, p_description)
        RETURNING entry_id, created_at INTO v_entry, v_at;
    ELSE
        IF a.balance - a.held < p_amount THEN
            RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash,
                wallet.denial('failed_precondition', 'insufficient_funds', 'the agent has less available than the amount')
                || jsonb_build_object('available_micros', a.balance - a.held));
        END IF;
        UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = v_treasury RETURNING balance INTO t.balance;
        UPDATE wallet.accounts SET balance = balance - p_amount, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = p_agent RETURNING balance INTO a.balance;
        INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id, description)
        VALUES (p_tenant, 'reclaim', p_agent, v_treasury, p_amount, p_currency, p_agent, p_description)
        RETURNING entry_id, created_at INTO v_entry, v_at;
    END IF;
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, v_method, v_hash, jsonb_build_object(
        'ok', true, 'entry_id', v_entry, 'amount_micros', p_amount,
        'agent_balance_micros', a.balance, 'agent_available_micros', a.balance - a.held,
        'treasury_balance_micros', t.balance, 'currency', p_currency, 'created_at_us', wallet.us(v_at)));
END $$;
"""#
}
