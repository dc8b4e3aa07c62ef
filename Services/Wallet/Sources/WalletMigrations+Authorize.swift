extension WalletMigrations {
    /// Authorize and Charge for a batch of one tenant's requests, several
    /// agents at once (group commit), and the policy epochs they are checked
    /// against.
    ///
    /// The requests come as parallel arrays, one element per request (index
    /// `i`, from 1), each in its own SQL type: the amount is the `bigint` the
    /// caller sent, never text or JSON on the way. A request's limits are the
    /// elements of the `p_limit_*` arrays whose `p_limit_request` is `i`. A
    /// policy refusal comes as its reason, rule and headroom, and a policy that
    /// could not be had as its status, reason and message: every denial
    /// document is built here, by `wallet.denial`, and nowhere else.
    ///
    /// Agents are decided in agent order whatever order they come in, so two
    /// such transactions lock account rows in the same order and cannot
    /// deadlock on them; each agent's row is locked once and its requests are
    /// decided in index order. Per request: a replay answers its stored
    /// outcome; a request whose policy could not be had answers that failure
    /// (unstored); a request decided under a policy older than the tenant's
    /// recorded epoch (`wallet.policy_epochs`, written by `PolicyChanged`
    /// before Policy's write returns) answers `policy_stale` (unstored) and is
    /// decided again by the Wallet under a fresh policy; then the policy's
    /// refusal, the account's status, the available balance and each limit
    /// (limits sharing a counter are each checked against that one row, which
    /// is counted once). Every other outcome is stored under its idempotency
    /// key. Answers one row per request: its index (from 0) and its outcome.
    static let authorize = #"""
CREATE FUNCTION wallet.authorize_agents(
    p_tenant uuid, p_agent uuid[], p_principal text[], p_key text[], p_method text[], p_provider uuid[],
    p_category text[], p_task text[], p_description text[], p_amount bigint[], p_ttl_us bigint[], p_policy_epoch bigint[],
    p_refusal_reason text[], p_refusal_rule text[], p_refusal_headroom bigint[], p_refusal_remaining bigint[],
    p_failure_status text[], p_failure_reason text[], p_failure_message text[],
    p_limit_request integer[], p_limit_scope text[], p_limit_window text[], p_limit_cap bigint[], p_limit_cap_count bigint[])
RETURNS TABLE (request_index integer, outcome jsonb) LANGUAGE plpgsql AS $$
DECLARE
    a record;
    lim record;
    i integer;
    v_agent uuid;
    v_found boolean;
    v_balance bigint;
    v_held bigint;
    v_status text;
    v_currency text;
    v_changed boolean;
    v_epoch bigint;
    v_method text;
    v_hash bytea;
    v_out jsonb;
    v_amount bigint;
    v_capture boolean;
    v_spent bigint;
    v_count bigint;
    v_scopes text[];
    v_windows text[];
    v_hold uuid;
    v_expires timestamptz;
    v_entry uuid;
BEGIN
    FOR v_agent IN SELECT DISTINCT x FROM unnest(p_agent) AS x ORDER BY x LOOP
        SELECT balance, held, status, currency INTO a FROM wallet.accounts
         WHERE tenant_id = p_tenant AND account_id = v_agent AND kind = 'agent' FOR UPDATE;
        v_found := FOUND;
        v_balance := 0; v_held := 0; v_status := 'active'; v_currency := ''; v_changed := false;
        IF v_found THEN
            v_balance := a.balance; v_held := a.held; v_status := a.status; v_currency := a.currency;
        END IF;
        FOR i IN SELECT k FROM generate_subscripts(p_agent, 1) AS k WHERE p_agent[k] = v_agent ORDER BY k LOOP
            request_index := i - 1;
            v_method := p_method[i];
            v_amount := p_amount[i];
            v_capture := v_method = 'Charge';
            v_hash := wallet.request_hash(v_method, ARRAY[v_agent::text, p_provider[i]::text, p_category[i],
                p_task[i], p_description[i], p_amount[i]::text, p_ttl_us[i]::text]);
            v_out := wallet.idem_lookup(p_tenant, p_principal[i], p_key[i], v_method, v_hash);
            IF v_out IS NOT NULL THEN
                outcome := v_out;
                RETURN NEXT;
                CONTINUE;
            END IF;
            IF p_failure_reason[i] IS NOT NULL THEN
                outcome := wallet.denial(p_failure_status[i], p_failure_reason[i], p_failure_message[i]);
                RETURN NEXT;
                CONTINUE;
            END IF;
            IF p_policy_epoch[i] IS NOT NULL THEN
                IF v_epoch IS NULL THEN
                    SELECT coalesce(max(epoch), 0) INTO v_epoch FROM wallet.policy_epochs WHERE tenant_id = p_tenant;
                END IF;
                IF p_policy_epoch[i] < v_epoch THEN
                    outcome := wallet.denial('unavailable', 'policy_stale', 'the spending policy changed; decide again')
                        || jsonb_build_object('policy_epoch', v_epoch);
                    RETURN NEXT;
                    CONTINUE;
                END IF;
            END IF;
            v_out := NULL;
            IF p_refusal_reason[i] IS NOT NULL THEN
                v_out := wallet.denial('failed_precondition', p_refusal_reason[i],
                                       'the spending policy refuses this spend: ' || p_refusal_rule[i])
                    || jsonb_strip_nulls(jsonb_build_object('rule', p_refusal_rule[i],
                           'headroom_micros', p_refusal_headroom[i], 'remaining_count', p_refusal_remaining[i]));
            ELSIF v_status = 'revoked' THEN
                v_out := wallet.denial('failed_precondition', 'agent_revoked', 'the agent is revoked');
            ELSIF v_status = 'frozen' THEN
                v_out := wallet.denial('failed_precondition', 'account_frozen', 'the account is frozen');
            ELSIF v_balance - v_held < v_amount THEN
                v_out := wallet.denial('failed_precondition', 'insufficient_funds', 'the amount exceeds the available balance')
                    || jsonb_build_object('available_micros', v_balance - v_held);
            ELSE
                v_scopes := '{}'; v_windows := '{}';
                FOR lim IN SELECT l.scope, l.win, l.cap, l.cap_count
                             FROM unnest(p_limit_request, p_limit_scope, p_limit_window, p_limit_cap, p_limit_cap_count)
                                  WITH ORDINALITY AS l(request, scope, win, cap, cap_count, ord)
                            WHERE l.request = i ORDER BY l.ord LOOP
                    SELECT spent, count INTO v_spent, v_count FROM wallet.spend_counters
                     WHERE tenant_id = p_tenant AND agent_id = v_agent AND scope_key = lim.scope AND window_key = lim.win;
                    IF NOT FOUND THEN
                        v_spent := 0; v_count := 0;
                    END IF;
                    IF v_amount > lim.cap - v_spent THEN
                        v_out := wallet.denial('failed_precondition', 'limit_exceeded', 'the amount exceeds the limit ' || lim.scope)
                            || jsonb_build_object('rule', lim.scope, 'headroom_micros', greatest(lim.cap - v_spent, 0));
                        EXIT;
                    END IF;
                    IF lim.cap_count IS NOT NULL AND v_count >= lim.cap_count THEN
                        v_out := wallet.denial('failed_precondition', 'limit_exceeded', 'the call count limit ' || lim.scope || ' is reached')
                            || jsonb_build_object('rule', lim.scope, 'headroom_micros', greatest(lim.cap - v_spent, 0), 'headroom_count', 0);
                        EXIT;
                    END IF;
                    -- Limits of one scope share one counter: checked each, counted once.
                    IF NOT EXISTS (SELECT 1 FROM unnest(v_scopes, v_windows) AS k(s, w) WHERE k.s = lim.scope AND k.w = lim.win) THEN
                        v_scopes := v_scopes || lim.scope;
                        v_windows := v_windows || lim.win;
                    END IF;
                END LOOP;
            END IF;
            IF v_out IS NOT NULL THEN
                outcome := wallet.idem_store(p_tenant, p_principal[i], p_key[i], v_method, v_hash, v_out);
                RETURN NEXT;
                CONTINUE;
            END IF;
            INSERT INTO wallet.spend_counters AS c (tenant_id, agent_id, scope_key, window_key, spent, count)
            SELECT p_tenant, v_agent, k.scope_key, k.window_key, v_amount, 1
              FROM unnest(v_scopes, v_windows) AS k(scope_key, window_key)
            ON CONFLICT (tenant_id, agent_id, scope_key, window_key)
            DO UPDATE SET spent = c.spent + excluded.spent, count = c.count + 1;
            v_hold := gen_random_uuid();
            v_expires := now() + p_ttl_us[i] * interval '1 microsecond';
            INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, category, task_id, description,
                                      amount, captured, status, counter_scopes, counter_windows, expires_at, settled_at)
            VALUES (p_tenant, v_hold, v_agent, p_provider[i], p_category[i], coalesce(p_task[i], ''),
                    coalesce(p_description[i], ''), v_amount, CASE WHEN v_capture THEN v_amount ELSE 0 END,
                    CASE WHEN v_capture THEN 'captured' ELSE 'pending' END, v_scopes, v_windows, v_expires,
                    CASE WHEN v_capture THEN now() END);
            v_entry := NULL;
            IF v_capture THEN
                INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                            agent_id, provider_id, category, hold_id, description)
                VALUES (p_tenant, 'capture', v_agent, p_provider[i], v_amount, v_currency,
                        v_agent, p_provider[i], p_category[i], v_hold, coalesce(p_description[i], ''))
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
            outcome := wallet.idem_store(p_tenant, p_principal[i], p_key[i], v_method, v_hash, v_out);
            RETURN NEXT;
        END LOOP;
        IF v_changed THEN
            UPDATE wallet.accounts SET balance = v_balance, held = v_held, updated_at = now()
             WHERE tenant_id = p_tenant AND account_id = v_agent;
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION wallet.note_policy_epoch(p_tenant uuid, p_epoch bigint) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO wallet.policy_epochs AS e (tenant_id, epoch) VALUES (p_tenant, p_epoch)
    ON CONFLICT (tenant_id) DO UPDATE SET epoch = greatest(e.epoch, excluded.epoch), updated_at = now()
    RETURNING epoch
$$;
"""#
}
