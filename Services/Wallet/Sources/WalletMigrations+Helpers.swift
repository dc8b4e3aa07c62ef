extension WalletMigrations {
    /// Helpers every ledger function uses: time in µs, the derived funding and
    /// treasury account ids, denials, idempotency records (looked up after the row
    /// locks are taken, stored in the same transaction), request hashes and giving
    /// spend-counter headroom back. `request_hash` is PL/pgSQL and `denial` is
    /// STABLE so that PostgreSQL plans them once per connection (a `LANGUAGE
    /// sql` function it cannot inline is planned again in every transaction).
    static let helpers = #"""
CREATE FUNCTION wallet.us(t timestamptz) RETURNS bigint
LANGUAGE sql STABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE FUNCTION wallet.funding_account(p_tenant uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT md5('funding:' || p_tenant::text)::uuid $$;

CREATE FUNCTION wallet.treasury_account(p_tenant uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT md5('treasury:' || p_tenant::text)::uuid $$;

CREATE FUNCTION wallet.denial(p_status text, p_reason text, p_message text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('ok', false, 'status', p_status, 'reason', p_reason, 'message', p_message)
$$;

CREATE FUNCTION wallet.idem_lookup(p_tenant uuid, p_principal text, p_key text, p_method text, p_hash bytea)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    SELECT method, request_hash, outcome INTO r FROM wallet.idempotency
     WHERE tenant_id = p_tenant AND principal = p_principal AND idem_key = p_key;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF r.method <> p_method OR r.request_hash <> p_hash THEN
        RETURN wallet.denial('already_exists', 'idempotency_conflict',
                             'idempotency-key was already used for a different request');
    END IF;
    RETURN r.outcome;
END $$;

CREATE FUNCTION wallet.idem_store(p_tenant uuid, p_principal text, p_key text, p_method text, p_hash bytea, p_outcome jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.idempotency (tenant_id, principal, idem_key, method, request_hash, outcome)
    VALUES (p_tenant, p_principal, p_key, p_method, p_hash, p_outcome)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'idempotency key stored concurrently' USING ERRCODE = '40001';
    END IF;
    RETURN p_outcome;
END $$;

CREATE FUNCTION wallet.request_hash(p_method text, p_parts text[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_text text := p_method || '|';
    v_part text;
    v_first boolean := true;
BEGIN
    FOREACH v_part IN ARRAY coalesce(p_parts, '{}') LOOP
        IF v_first THEN
            v_first := false;
        ELSE
            v_text := v_text || '|';
        END IF;
        v_text := v_text || quote_nullable(v_part);
    END LOOP;
    RETURN sha256(convert_to(v_text, 'UTF8'));
END $$;

CREATE FUNCTION wallet.release_counters(p_tenant uuid, p_agent uuid, p_scopes text[], p_windows text[],
                                        p_amount bigint, p_count bigint)
RETURNS void LANGUAGE sql AS $$
    UPDATE wallet.spend_counters c
       SET spent = greatest(c.spent - p_amount, 0), count = greatest(c.count - p_count, 0)
      FROM unnest(p_scopes, p_windows) AS k(scope_key, window_key)
     WHERE c.tenant_id = p_tenant AND c.agent_id = p_agent
       AND c.scope_key = k.scope_key AND c.window_key = k.window_key
       AND (p_amount > 0 OR p_count > 0)
$$;

CREATE FUNCTION wallet.ensure_tenant_accounts(p_tenant uuid, p_currency text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency)
    VALUES (p_tenant, wallet.funding_account(p_tenant), 'funding', p_currency),
           (p_tenant, wallet.treasury_account(p_tenant), 'treasury', p_currency)
    ON CONFLICT DO NOTHING
$$;
"""#
}
