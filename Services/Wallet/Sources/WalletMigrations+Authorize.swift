extension WalletMigrations {
    /// Authorize and Charge for a batch of one agent's requests under one row
    /// lock, and the policy epochs they are checked against.
    ///
    /// Per request, in order: a replay answers its stored outcome; a request
    /// whose policy could not be had answers that failure (`unavailable`,
    /// unstored); a request decided under a policy older than the tenant's
    /// recorded epoch (`wallet.policy_epochs`, written by `PolicyChanged`
    /// before Policy's write returns) answers `policy_stale` (unstored) and is
    /// decided again by the Wallet under a fresh policy; then the policy's
    /// refusal, the account's status, the available balance and each limit
    /// (limits sharing a counter are each checked against that one row, which
    /// is counted once). Every other outcome is stored under its idempotency key.
    static let authorize = #"""
CREATE FUNCTION wallet.authorize_batch(p_tenant uuid, p_agent uuid, p_requests jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE
    a record;
    v_found boolean;
    v_balance bigint := 0;
    v_held bigint := 0;
    v_status text := 'active';
    v_currency text := '';
    v_changed boolean := false;
    v_epoch bigint;
    req jsonb;
    lim jsonb;
    v_method text;
    v_hash bytea;
    v_out jsonb;
    v_amount bigint;
    v_capture boolean;
    v_spent bigint;
    v_count bigint;
    v_cap bigint;
    v_cap_count bigint;
    v_scopes text[];
    v_windows text[];
    v_hold uuid;
    v_expires timestamptz;
    v_entry uuid;
BEGIN
    SELECT balance, held, status, currency INTO a FROM wallet.accounts
     WHERE tenant_id = p_tenant AND account_id = p_agent AND kind = 'agent' FOR UPDATE;
    v_found := FOUND;
    IF v_found THEN
        v_balance := a.balance; v_held := a.held; v_status := a.status; v_currency := a.currency;
    END IF;
    FOR req IN SELECT value FROM jsonb_array_elements(p_requests) LOOP
        v_method := req->>'method';
        v_amount := (req->>'amount')::bigint;
        v_capture := v_method = 'Charge';
        v_hash := wallet.request_hash(v_method, ARRAY[p_agent::text, req->>'provider', req->>'category',
            req->>'task', req->>'description', req->>'amount', req->>'ttl_us']);
        v_out := wallet.idem_lookup(p_tenant, req->>'principal', req->>'key', v_method, v_hash);
        IF v_out IS NOT NULL THEN
            RETURN NEXT v_out;
            CONTINUE;
        END IF;
        IF req ? 'unavailable' THEN
            RETURN NEXT req->'unavailable';
            CONTINUE;
        END IF;
        IF req ? 'policy_epoch' THEN
            IF v_epoch IS NULL THEN
                SELECT coalesce(max(epoch), 0) INTO v_epoch FROM wallet.policy_epochs WHERE tenant_id = p_tenant;
            END IF;
            IF (req->>'policy_epoch')::bigint < v_epoch THEN
                RETURN NEXT wallet.denial('unavailable', 'policy_stale', 'the spending policy changed; decide again')
                    || jsonb_build_object('policy_epoch', v_epoch);
                CONTINUE;
            END IF;
        END IF;
        v_out := NULL;
        IF req ? 'denial' THEN
            v_out := req->'denial';
        ELSIF v_status = 'revoked' THEN
            v_out := wallet.denial('failed_precondition', 'agent_revoked', 'the agent is revoked');
        ELSIF v_status = 'frozen' THEN
            v_out := wallet.denial('failed_precondition', 'account_frozen', 'the account is frozen');
        ELSIF v_balance - v_held < v_amount THEN
            v_out := wallet.denial('failed_precondition', 'insufficient_funds', 'the amount exceeds the available balance')
                || jsonb_build_object('available_micros', v_balance - v_held);
        ELSE
            v_scopes := '{}'; v_windows := '{}';
            FOR lim IN SELECT value FROM jsonb_array_elements(coalesce(req->'limits', '[]'::jsonb)) LOOP
                v_cap := (lim->>'cap')::bigint;
                v_cap_count := (lim->>'cap_count')::bigint;
                SELECT spent, count INTO v_spent, v_count FROM wallet.spend_counters
                 WHERE tenant_id = p_tenant AND agent_id = p_agent
                   AND scope_key = lim->>'scope' AND window_key = lim->>'window';
                IF NOT FOUND THEN
                    v_spent := 0; v_count := 0;
                END IF;
                IF v_amount > v_cap - v_spent THEN
                    v_out := wallet.denial('failed_precondition', 'limit_exceeded', 'the amount exceeds the limit ' || (lim->>'scope'))
                        || jsonb_build_object('rule', lim->>'scope', 'headroom_micros', greatest(v_cap - v_spent, 0));
                    EXIT;
                END IF;
                IF v_cap_count IS NOT NULL AND v_count >= v_cap_count THEN
                    v_out := wallet.denial('failed_precondition', 'limit_exceeded', 'the call count limit ' || (lim->>'scope') || ' is reached')
                        || jsonb_build_object('rule', lim->>'scope', 'headroom_micros', greatest(v_cap - v_spent, 0), 'headroom_count', 0);
                    EXIT;
                END IF;
                -- Limits of one scope share one counter: checked each, counted once.
                IF NOT EXISTS (SELECT 1 FROM unnest(v_scopes, v_windows) AS k(s, w)
                                WHERE k.s = lim->>'scope' AND k.w = lim->>'window') THEN
                    v_scopes := v_scopes || (lim->>'scope');
                    v_windows := v_windows || (lim->>'window');
                END IF;
            END LOOP;
        END IF;
        IF v_out IS NOT NULL THEN
            RETURN NEXT wallet.idem_store(p_tenant, req->>'principal', req->>'key', v_method, v_hash, v_out);
            CONTINUE;
        END IF;
        INSERT INTO wallet.spend_counters AS c (tenant_id, agent_id, scope_key, window_key, spent, count)
        SELECT p_tenant, p_agent, k.scope_key, k.window_key, v_amount, 1
          FROM unnest(v_scopes, v_windows) AS k(scope_key, window_key)
        ON CONFLICT (tenant_id, agent_id, scope_key, window_key)
        DO UPDATE SET spent = c.spent + excluded.spent, count = c.count + 1;
        v_hold := gen_random_uuid();
        v_expires := now() + (req->>'ttl_us')::bigint * interval '1 microsecond';
        INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, category, task_id, description,
                                  amount, captured, status, counter_scopes, counter_windows, expires_at, settled_at)
        VALUES (p_tenant, v_hold, p_agent, (req->>'provider')::uuid, req->>'category', coalesce(req->>'task', ''),
                coalesce(req->>'description', ''), v_amount, CASE WHEN v_capture THEN v_amount ELSE 0 END,
                CASE WHEN v_capture THEN 'captured' ELSE 'pending' END, v_scopes, v_windows, v_expires,
                CASE WHEN v_capture THEN now() END);
        v_entry := NULL;
        IF v_capture THEN
            INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                        agent_id, provider_id, category, hold_id, description)
            VALUES (p_tenant, 'capture', p_agent, (req->>'provider')::uuid, v_amount, v_currency,
                    p_agent, (req->>'provider')::uuid, req->>'category', v_hold, coalesce(req->>'description', ''))
            RETURNING entry_id INTO v_entry;
            v_balance := v_balance - v_amount;
        ELSE
            v_held := v_held + v_amount;
        END IF;
        v_changed := true;
        v_out := jsonb_build_object('ok', true, 'hold_id', v_hold, 'amount_micros', v_amount,
            'expires_at_us', wallet.us(v_expires), 'available_after_micros', v_balance - v_held,
            'currency', v_currency, 'created_at_us', wallet.us(now()));
        IF v_capture THEN
            v_out := v_out || jsonb_build_object('entry_id', v_entry);
        END IF;
        RETURN NEXT wallet.idem_store(p_tenant, req->>'principal', req->>'key', v_method, v_hash, v_out);
    END LOOP;
    IF v_changed THEN
        UPDATE wallet.accounts SET balance = v_balance, held = v_held, updated_at = now()
         WHERE tenant_id = p_tenant AND account_id = p_agent;
    END IF;
END $$;

CREATE FUNCTION wallet.note_policy_epoch(p_tenant uuid, p_epoch bigint) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO wallet.policy_epochs AS e (tenant_id, epoch) VALUES (p_tenant, p_epoch)
    ON CONFLICT (tenant_id) DO UPDATE SET epoch = greatest(e.epoch, excluded.epoch), updated_at = now()
    RETURNING epoch
$$;
"""#
}
