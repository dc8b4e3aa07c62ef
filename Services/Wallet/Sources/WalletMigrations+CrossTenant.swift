extension WalletMigrations {
    /// Migration 7: payments to an agent of another tenant. Each tenant's
    /// books stay whole: the payer's tenant moves the amount from the payer to
    /// its `payable` position account towards the payee's tenant
    /// (`transfer_out`), and the payee's tenant from its `receivable` position
    /// account towards the payer's tenant to the payee (`transfer_in`), both
    /// in the transaction of the Charge or the Capture. A position account
    /// (`counter_tenant` names the other tenant) is one per tenant and
    /// counter-tenant, its id derived from both (`wallet.position_account`),
    /// so every function knows which rows it will lock before it locks them.
    /// A payable balance is what the tenant owes the other; a receivable one
    /// (negative, like funding) what it is owed. The hold stays in the payer's
    /// tenant with its `payee_tenant`; `wallet.incoming_holds` lets the payee
    /// find it from its own tenant to capture or void it. The payee's tenant's
    /// refusal (`p_payee_refuses`, from its setting at Identity) is stored
    /// under the idempotency key like every other refusal. The audit checks
    /// that each leg has its twin, that legs use the position accounts of
    /// their pair, and that each pair's payable equals its receivable.
    static let crossTenant = #"""
ALTER TABLE wallet.accounts ADD COLUMN counter_tenant uuid;
ALTER TABLE wallet.accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE wallet.accounts ADD CONSTRAINT accounts_kind_check
    CHECK (kind IN ('funding', 'treasury', 'agent', 'payable', 'receivable'));
ALTER TABLE wallet.accounts ADD CONSTRAINT accounts_position_names_counter_tenant
    CHECK ((kind IN ('payable', 'receivable')) = (counter_tenant IS NOT NULL));
ALTER TABLE wallet.accounts DROP CONSTRAINT accounts_available_not_negative;
ALTER TABLE wallet.accounts ADD CONSTRAINT accounts_available_not_negative
    CHECK (kind IN ('funding', 'receivable') OR balance - held >= 0);
ALTER TABLE wallet.accounts DROP CONSTRAINT accounts_funding_holds_nothing;
ALTER TABLE wallet.accounts ADD CONSTRAINT accounts_funding_holds_nothing
    CHECK (kind IN ('agent', 'treasury') OR held = 0);
CREATE INDEX accounts_positions ON wallet.accounts (tenant_id, counter_tenant) WHERE counter_tenant IS NOT NULL;

ALTER TABLE wallet.holds ADD COLUMN payee_tenant uuid;
ALTER TABLE wallet.holds ADD CONSTRAINT holds_payee_tenant_pays_an_agent
    CHECK (payee_tenant IS NULL OR (payee_kind = 'agent' AND payee_tenant <> tenant_id));

-- The holds payable to an agent of this tenant that live in another (the payer's).
CREATE TABLE wallet.incoming_holds (
    tenant_id    uuid NOT NULL,
    hold_id      uuid NOT NULL,
    payer_tenant uuid NOT NULL,
    payee_agent  uuid NOT NULL,
    PRIMARY KEY (tenant_id, hold_id)
);

ALTER TABLE wallet.entries DROP CONSTRAINT entries_kind_check;
ALTER TABLE wallet.entries ADD CONSTRAINT entries_kind_check
    CHECK (kind IN ('fund', 'allocate', 'reclaim', 'capture', 'refund', 'transfer', 'transfer_out', 'transfer_in'));
CREATE INDEX entries_transfer_feed ON wallet.entries (xid, seq) WHERE kind = 'transfer_out';

CREATE FUNCTION wallet.position_account(p_kind text, p_tenant uuid, p_counter uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT md5(p_kind || ':' || p_tenant::text || ':' || p_counter::text)::uuid $$;

-- The tenant a hold named from `p_tenant` lives in: the payer's tenant for a
-- hold payable to an agent of `p_tenant` from another tenant, else `p_tenant`.
CREATE FUNCTION wallet.hold_tenant(p_tenant uuid, p_hold uuid) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT payer_tenant FROM wallet.incoming_holds WHERE tenant_id = p_tenant AND hold_id = p_hold),
                    p_tenant)
$$;

-- Both legs of a payment of hold `p_hold` from `p_payer` (of `p_tenant`) to
-- `p_payee` (of `p_payee_tenant`); the caller has locked every account
-- involved and updates the payer's own balance. Returns the payer's entry.
CREATE FUNCTION wallet.pay_across_tenants(p_tenant uuid, p_hold uuid, p_payer uuid, p_payee_tenant uuid, p_payee uuid,
                                          p_amount bigint, p_currency text, p_category text, p_description text)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    v_payable uuid := wallet.position_account('payable', p_tenant, p_payee_tenant);
    v_receivable uuid := wallet.position_account('receivable', p_payee_tenant, p_tenant);
    v_entry uuid;
BEGIN
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                agent_id, category, hold_id, description)
    VALUES (p_tenant, 'transfer_out', p_payer, v_payable, p_amount, p_currency, p_payer, p_category, p_hold, p_description)
    RETURNING entry_id INTO v_entry;
    UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
     WHERE tenant_id = p_tenant AND account_id = v_payable;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payable account % missing', v_payable USING ERRCODE = 'P0002';
    END IF;
    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                agent_id, category, hold_id, description)
    VALUES (p_payee_tenant, 'transfer_in', v_receivable, p_payee, p_amount, p_currency, p_payee, p_category, p_hold,
            p_description);
    UPDATE wallet.accounts SET balance = balance - p_amount, updated_at = now()
     WHERE tenant_id = p_payee_tenant AND account_id = v_receivable;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'receivable account % missing', v_receivable USING ERRCODE = 'P0002';
    END IF;
    UPDATE wallet.accounts SET balance = balance + p_amount, updated_at = now()
     WHERE tenant_id = p_payee_tenant AND account_id = p_payee;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payee account % missing', p_payee USING ERRCODE = 'P0002';
    END IF;
    RETURN v_entry;
END $$;

DROP FUNCTION wallet.authorize_agents(uuid, uuid[], text[], text[], text[], uuid[], text[], text[], text[], bigint[], bigint[],
    bigint[], text[], text[], bigint[], bigint[], text[], text[], text[], integer[], text[], text[], bigint[], bigint[], text[]);

CREATE FUNCTION wallet.authorize_agents(
    p_tenant uuid, p_agent uuid[], p_principal text[], p_key text[], p_method text[], p_provider uuid[],
    p_category text[], p_task text[], p_description text[], p_amount bigint[], p_ttl_us bigint[], p_policy_epoch bigint[],
    p_refusal_reason text[], p_refusal_rule text[], p_refusal_headroom bigint[], p_refusal_remaining bigint[],
    p_failure_status text[], p_failure_reason text[], p_failure_message text[],
    p_limit_request integer[], p_limit_scope text[], p_limit_window text[], p_limit_cap bigint[], p_limit_cap_count bigint[],
    p_payee_kind text[], p_payee_tenant uuid[], p_payee_refuses boolean[])
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
    v_balance0 bigint;
    v_held0 bigint;
    v_to_agent boolean;
    v_payee_status text;
    v_crossed jsonb;
    v_payee_tenant uuid;
BEGIN
    -- A payee agent without an account yet gets one, in its own tenant, and
    -- so do the position accounts of a payment across tenants (the payer's
    -- tenant's payable to the payee's, the payee's tenant's receivable from
    -- the payer's), created in account order too, so two batches creating
    -- the same rows wait for each other in one order. Then every account the
    -- batch touches, payers, payee agents and positions, is locked in account
    -- order, whatever its tenant.
    INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency, counter_tenant)
    SELECT DISTINCT w.tenant_id, w.account_id, w.kind, t.currency, w.counter_tenant
      FROM generate_subscripts(p_agent, 1) AS k
      JOIN wallet.accounts t ON t.tenant_id = p_tenant AND t.account_id = wallet.treasury_account(p_tenant)
     CROSS JOIN LATERAL (VALUES
         (coalesce(p_payee_tenant[k], p_tenant), p_provider[k], 'agent', NULL::uuid),
         (p_tenant, wallet.position_account('payable', p_tenant, p_payee_tenant[k]), 'payable', p_payee_tenant[k]),
         (p_payee_tenant[k], wallet.position_account('receivable', p_payee_tenant[k], p_tenant), 'receivable', p_tenant))
         AS w(tenant_id, account_id, kind, counter_tenant)
     WHERE p_payee_kind[k] = 'agent' AND w.tenant_id IS NOT NULL AND w.account_id IS NOT NULL
     ORDER BY w.account_id
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM wallet.accounts acc
      JOIN (SELECT p_tenant, x FROM unnest(p_agent) AS x
            UNION SELECT w.tenant_id, w.account_id
              FROM generate_subscripts(p_agent, 1) AS k
             CROSS JOIN LATERAL (VALUES
                 (coalesce(p_payee_tenant[k], p_tenant), p_provider[k]),
                 (p_tenant, wallet.position_account('payable', p_tenant, p_payee_tenant[k])),
                 (p_payee_tenant[k], wallet.position_account('receivable', p_payee_tenant[k], p_tenant)))
                 AS w(tenant_id, account_id)
             WHERE p_payee_kind[k] = 'agent' AND w.tenant_id IS NOT NULL AND w.account_id IS NOT NULL
           ) AS touched(tenant_id, account_id) ON acc.tenant_id = touched.tenant_id AND acc.account_id = touched.account_id
     ORDER BY acc.account_id FOR UPDATE OF acc;
    FOR v_agent IN SELECT DISTINCT x FROM unnest(p_agent) AS x ORDER BY x LOOP
        SELECT balance, held, status, currency INTO a FROM wallet.accounts
         WHERE tenant_id = p_tenant AND account_id = v_agent AND kind = 'agent' FOR UPDATE;
        v_found := FOUND;
        v_balance := 0; v_held := 0; v_status := 'active'; v_currency := ''; v_changed := false;
        IF v_found THEN
            v_balance := a.balance; v_held := a.held; v_status := a.status; v_currency := a.currency;
        END IF;
        v_balance0 := v_balance; v_held0 := v_held;
        FOR i IN SELECT k FROM generate_subscripts(p_agent, 1) AS k WHERE p_agent[k] = v_agent ORDER BY k LOOP
            request_index := i - 1;
            v_method := p_method[i];
            v_amount := p_amount[i];
            v_capture := v_method = 'Charge';
            v_to_agent := p_payee_kind[i] = 'agent';
            v_payee_tenant := p_payee_tenant[i];
            v_hash := wallet.request_hash(v_method, ARRAY[v_agent::text, p_provider[i]::text, p_category[i],
                p_task[i], p_description[i], p_amount[i]::text, p_ttl_us[i]::text]
                || CASE WHEN v_to_agent THEN ARRAY['agent'] ELSE '{}'::text[] END
                || CASE WHEN v_payee_tenant IS NOT NULL THEN ARRAY[v_payee_tenant::text] ELSE '{}'::text[] END);
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
            v_payee_status := NULL;
            IF v_to_agent THEN
                SELECT status INTO v_payee_status FROM wallet.accounts
                 WHERE tenant_id = coalesce(v_payee_tenant, p_tenant) AND account_id = p_provider[i] AND kind = 'agent';
            END IF;
            IF p_refusal_reason[i] IS NOT NULL THEN
                v_out := wallet.denial('failed_precondition', p_refusal_reason[i],
                                       'the spending policy refuses this spend: ' || p_refusal_rule[i])
                    || jsonb_strip_nulls(jsonb_build_object('rule', p_refusal_rule[i],
                           'headroom_micros', p_refusal_headroom[i], 'remaining_count', p_refusal_remaining[i]));
            ELSIF v_status = 'revoked' THEN
                v_out := wallet.denial('failed_precondition', 'agent_revoked', 'the agent is revoked');
            ELSIF v_status = 'frozen' THEN
                v_out := wallet.denial('failed_precondition', 'account_frozen', 'the account is frozen');
            ELSIF v_payee_tenant IS NOT NULL AND p_payee_refuses[i] THEN
                v_out := wallet.denial('failed_precondition', 'payee_refuses_other_tenants',
                                       'the payee agent''s tenant does not accept payments from other tenants');
            ELSIF v_to_agent AND v_payee_status IN ('revoked', 'frozen') THEN
                v_out := CASE WHEN v_payee_status = 'frozen'
                    THEN wallet.denial('failed_precondition', 'payee_frozen', 'the payee agent''s account is frozen')
                    ELSE wallet.denial('failed_precondition', 'payee_revoked', 'the payee agent is revoked') END;
            ELSIF v_balance - v_held < v_amount THEN
                v_out := wallet.denial('failed_precondition', 'insufficient_funds', 'the amount exceeds the available balance')
                    || jsonb_build_object('available_micros', v_balance - v_held);
            ELSE
                v_scopes := '{}'; v_windows := '{}';
                v_crossed := NULL;
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
            IF v_crossed IS NOT NULL THEN
                PERFORM wallet.note_limit_crossings(p_tenant, v_agent, v_crossed);
            END IF;
            INSERT INTO wallet.spend_counters AS c (tenant_id, agent_id, scope_key, window_key, spent, count)
            SELECT p_tenant, v_agent, k.scope_key, k.window_key, v_amount, 1
              FROM unnest(v_scopes, v_windows) AS k(scope_key, window_key)
            ON CONFLICT (tenant_id, agent_id, scope_key, window_key)
            DO UPDATE SET spent = c.spent + excluded.spent, count = c.count + 1;
            v_hold := gen_random_uuid();
            v_expires := now() + p_ttl_us[i] * interval '1 microsecond';
            INSERT INTO wallet.holds (tenant_id, hold_id, agent_id, provider_id, payee_kind, payee_tenant, category, task_id,
                                      description, amount, captured, status, counter_scopes, counter_windows, expires_at,
                                      settled_at)
            VALUES (p_tenant, v_hold, v_agent, p_provider[i], CASE WHEN v_to_agent THEN 'agent' ELSE 'provider' END, v_payee_tenant,
                    p_category[i], coalesce(p_task[i], ''),
                    coalesce(p_description[i], ''), v_amount, CASE WHEN v_capture THEN v_amount ELSE 0 END,
                    CASE WHEN v_capture THEN 'captured' ELSE 'pending' END, v_scopes, v_windows, v_expires,
                    CASE WHEN v_capture THEN now() END);
            IF v_payee_tenant IS NOT NULL AND NOT v_capture THEN
                INSERT INTO wallet.incoming_holds (tenant_id, hold_id, payer_tenant, payee_agent)
                VALUES (v_payee_tenant, v_hold, p_tenant, p_provider[i]);
            END IF;
            v_entry := NULL;
            IF v_capture AND v_payee_tenant IS NOT NULL THEN
                v_entry := wallet.pay_across_tenants(p_tenant, v_hold, v_agent, v_payee_tenant, p_provider[i], v_amount,
                                                     v_currency, p_category[i], coalesce(p_description[i], ''));
                v_balance := v_balance - v_amount;
            ELSIF v_capture THEN
                INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                            agent_id, provider_id, category, hold_id, description)
                VALUES (p_tenant, CASE WHEN v_to_agent THEN 'transfer' ELSE 'capture' END, v_agent, p_provider[i],
                        v_amount, v_currency, v_agent, CASE WHEN v_to_agent THEN NULL ELSE p_provider[i] END,
                        p_category[i], v_hold, coalesce(p_description[i], ''))
                RETURNING entry_id INTO v_entry;
                IF v_to_agent THEN
                    UPDATE wallet.accounts SET balance = balance + v_amount, updated_at = now()
                     WHERE tenant_id = p_tenant AND account_id = p_provider[i];
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'payee account % missing', p_provider[i] USING ERRCODE = 'P0002';
                    END IF;
                END IF;
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
            -- By difference: the account may also have been paid in this batch.
            UPDATE wallet.accounts SET balance = balance + (v_balance - v_balance0), held = held + (v_held - v_held0),
                   updated_at = now()
             WHERE tenant_id = p_tenant AND account_id = v_agent;
        END IF;
    END LOOP;
END $$;

-- Every account a capture of the hold touches (payer, payee agent, and the
-- position accounts of a payment across tenants), locked in account order.
CREATE OR REPLACE FUNCTION wallet.lock_hold_accounts(p_tenant uuid, p_hold uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    h record;
BEGIN
    SELECT agent_id, provider_id, payee_kind, payee_tenant INTO h FROM wallet.holds WHERE tenant_id = p_tenant AND hold_id = p_hold;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF h.payee_kind = 'agent' THEN
        INSERT INTO wallet.accounts (tenant_id, account_id, kind, currency)
        SELECT coalesce(h.payee_tenant, p_tenant), h.provider_id, 'agent', a.currency FROM wallet.accounts a
         WHERE a.tenant_id = p_tenant AND a.account_id = h.agent_id
        ON CONFLICT DO NOTHING;
    END IF;
    PERFORM 1 FROM wallet.accounts acc
      JOIN (VALUES (p_tenant, h.agent_id),
                   (coalesce(h.payee_tenant, p_tenant), CASE WHEN h.payee_kind = 'agent' THEN h.provider_id END),
                   (p_tenant, wallet.position_account('payable', p_tenant, h.payee_tenant)),
                   (h.payee_tenant, wallet.position_account('receivable', h.payee_tenant, p_tenant)))
           AS touched(tenant_id, account_id) ON acc.tenant_id = touched.tenant_id AND acc.account_id = touched.account_id
     ORDER BY acc.account_id FOR UPDATE OF acc;
END $$;

-- Capture as migration 5's, and of a hold payable to an agent of the
-- caller's tenant `p_tenant` that lives in the payer's tenant.
CREATE OR REPLACE FUNCTION wallet.capture(p_tenant uuid, p_principal text, p_key text, p_hold uuid, p_amount bigint,
                               p_caller_kind text, p_caller_id uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Capture', ARRAY[p_hold::text, p_amount::text]);
    v_hold_tenant uuid := wallet.hold_tenant(p_tenant, p_hold);
    v_prior jsonb;
    h record;
    v_amount bigint;
    v_balance bigint;
    v_held bigint;
    v_currency text;
    v_entry uuid;
    v_payee_status text;
BEGIN
    PERFORM wallet.lock_hold_accounts(v_hold_tenant, p_hold);
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Capture', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    SELECT * INTO h FROM wallet.holds WHERE tenant_id = v_hold_tenant AND hold_id = p_hold FOR UPDATE;
    IF NOT FOUND OR h.payee_kind <> p_caller_kind OR h.provider_id <> p_caller_id OR p_caller_id IS NULL
       OR coalesce(h.payee_tenant, h.tenant_id) <> p_tenant THEN
        RETURN wallet.denial('not_found', 'not_found', 'hold not found');
    END IF;
    v_amount := coalesce(p_amount, h.amount);
    IF h.payee_kind = 'agent' THEN
        SELECT status INTO v_payee_status FROM wallet.accounts
         WHERE tenant_id = coalesce(h.payee_tenant, v_hold_tenant) AND account_id = h.provider_id;
    END IF;
    IF h.status <> 'pending' THEN
        v_prior := wallet.hold_not_pending(h.status);
    ELSIF h.expires_at <= now() THEN
        v_prior := wallet.hold_not_pending('expired');
    ELSIF h.payee_kind = 'agent' AND v_payee_status <> 'active' THEN
        v_prior := CASE WHEN v_payee_status = 'frozen'
            THEN wallet.denial('failed_precondition', 'payee_frozen', 'the payee agent''s account is frozen')
            ELSE wallet.denial('failed_precondition', 'payee_revoked', 'the payee agent is revoked') END;
    ELSIF v_amount > h.amount THEN
        v_prior := wallet.denial('failed_precondition', 'amount_exceeds_hold', 'the amount exceeds the hold')
            || jsonb_build_object('hold_amount_micros', h.amount);
    END IF;
    IF v_prior IS NOT NULL THEN
        RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Capture', v_hash, v_prior);
    END IF;
    UPDATE wallet.holds SET status = 'captured', captured = v_amount, settled_at = now()
     WHERE tenant_id = v_hold_tenant AND hold_id = p_hold;
    UPDATE wallet.accounts SET balance = balance - v_amount, held = held - h.amount, updated_at = now()
     WHERE tenant_id = v_hold_tenant AND account_id = h.agent_id
    RETURNING balance, held, currency INTO v_balance, v_held, v_currency;
    IF h.payee_tenant IS NOT NULL THEN
        v_entry := wallet.pay_across_tenants(v_hold_tenant, p_hold, h.agent_id, h.payee_tenant, h.provider_id, v_amount,
                                             v_currency, h.category, h.description);
    ELSE
        INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                    agent_id, provider_id, category, hold_id, description)
        VALUES (v_hold_tenant, CASE WHEN h.payee_kind = 'agent' THEN 'transfer' ELSE 'capture' END, h.agent_id, h.provider_id,
                v_amount, v_currency, h.agent_id, CASE WHEN h.payee_kind = 'agent' THEN NULL ELSE h.provider_id END,
                h.category, p_hold, h.description)
        RETURNING entry_id INTO v_entry;
        IF h.payee_kind = 'agent' THEN
            UPDATE wallet.accounts SET balance = balance + v_amount, updated_at = now()
             WHERE tenant_id = v_hold_tenant AND account_id = h.provider_id;
        END IF;
    END IF;
    PERFORM wallet.release_counters(v_hold_tenant, h.agent_id, h.counter_scopes, h.counter_windows, h.amount - v_amount, 0);
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Capture', v_hash, jsonb_build_object(
        'ok', true, 'hold_id', p_hold, 'entry_id', v_entry, 'captured_micros', v_amount,
        'released_micros', h.amount - v_amount, 'available_after_micros', v_balance - v_held,
        'currency', v_currency, 'created_at_us', wallet.us(now())));
END $$;

-- Void as migration 5's, and of a hold payable to an agent of the caller's
-- tenant `p_tenant` that lives in the payer's tenant.
CREATE OR REPLACE FUNCTION wallet.void(p_tenant uuid, p_principal text, p_key text, p_hold uuid,
                            p_caller_kind text, p_caller_id uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea := wallet.request_hash('Void', ARRAY[p_hold::text]);
    v_hold_tenant uuid := wallet.hold_tenant(p_tenant, p_hold);
    v_prior jsonb;
    h record;
    v_balance bigint;
    v_held bigint;
BEGIN
    PERFORM wallet.lock_hold_account(v_hold_tenant, p_hold);
    v_prior := wallet.idem_lookup(p_tenant, p_principal, p_key, 'Void', v_hash);
    IF v_prior IS NOT NULL THEN
        RETURN v_prior;
    END IF;
    SELECT * INTO h FROM wallet.holds WHERE tenant_id = v_hold_tenant AND hold_id = p_hold FOR UPDATE;
    IF NOT FOUND OR h.payee_kind <> p_caller_kind OR h.provider_id <> p_caller_id OR p_caller_id IS NULL
       OR coalesce(h.payee_tenant, h.tenant_id) <> p_tenant THEN
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
    UPDATE wallet.holds SET status = 'voided', settled_at = now() WHERE tenant_id = v_hold_tenant AND hold_id = p_hold;
    UPDATE wallet.accounts SET held = held - h.amount, updated_at = now()
     WHERE tenant_id = v_hold_tenant AND account_id = h.agent_id RETURNING balance, held INTO v_balance, v_held;
    PERFORM wallet.release_counters(v_hold_tenant, h.agent_id, h.counter_scopes, h.counter_windows, h.amount, 1);
    RETURN wallet.idem_store(p_tenant, p_principal, p_key, 'Void', v_hash, jsonb_build_object(
        'ok', true, 'hold_id', p_hold, 'released_micros', h.amount,
        'available_after_micros', v_balance - v_held));
END $$;

-- The audit of migration 5, with the legs of payments across tenants and the
-- position accounts of each pair of tenants checked.
CREATE OR REPLACE FUNCTION wallet.audit(p_tenant uuid)
RETURNS TABLE (tenant_id uuid, check_name text, subject text, expected numeric, actual numeric)
LANGUAGE sql STABLE AS $$
    WITH sums AS (
        SELECT e.tenant_id, x.account_id, sum(x.delta) AS total
          FROM wallet.entries e
          CROSS JOIN LATERAL (VALUES (e.credit_account, e.amount::numeric), (e.debit_account, -e.amount::numeric))
                          AS x(account_id, delta)
         WHERE p_tenant IS NULL OR e.tenant_id = p_tenant
         GROUP BY e.tenant_id, x.account_id
    ), pending AS (
        SELECT h.tenant_id, h.agent_id, sum(h.amount) AS total FROM wallet.holds h
         WHERE h.status = 'pending' AND (p_tenant IS NULL OR h.tenant_id = p_tenant)
         GROUP BY h.tenant_id, h.agent_id
    ), accts AS (
        SELECT * FROM wallet.accounts a WHERE p_tenant IS NULL OR a.tenant_id = p_tenant
    )
    SELECT a.tenant_id, 'balance_equals_entries', a.account_id::text, coalesce(s.total, 0), a.balance::numeric
      FROM accts a LEFT JOIN sums s ON s.tenant_id = a.tenant_id AND s.account_id = a.account_id
     WHERE a.balance <> coalesce(s.total, 0)
    UNION ALL
    SELECT a.tenant_id, 'held_equals_pending_holds', a.account_id::text, coalesce(p.total, 0), a.held::numeric
      FROM accts a LEFT JOIN pending p ON p.tenant_id = a.tenant_id AND p.agent_id = a.account_id
     WHERE a.held <> coalesce(p.total, 0)
    UNION ALL
    SELECT a.tenant_id, 'available_not_negative', a.account_id::text, 0, a.balance::numeric - a.held
      FROM accts a WHERE a.kind NOT IN ('funding', 'receivable') AND a.balance::numeric - a.held < 0
    UNION ALL
    SELECT p.tenant_id, 'holds_have_accounts', p.agent_id::text, p.total, 0
      FROM pending p WHERE NOT EXISTS (
          SELECT 1 FROM accts a WHERE a.tenant_id = p.tenant_id AND a.account_id = p.agent_id)
    UNION ALL
    SELECT t.tenant_id, 'tenant_sums_to_zero', t.tenant_id::text, 0, t.total
      FROM (SELECT s.tenant_id, sum(coalesce(a.balance::numeric, s.total)) AS total
              FROM sums s LEFT JOIN accts a ON a.tenant_id = s.tenant_id AND a.account_id = s.account_id
             GROUP BY s.tenant_id) t
     WHERE t.total <> 0
    UNION ALL
    SELECT h.tenant_id, 'capture_matches_hold', h.hold_id::text, h.captured::numeric, coalesce(c.total, 0)
      FROM wallet.holds h
      LEFT JOIN (SELECT e.tenant_id, e.hold_id, sum(e.amount) AS total FROM wallet.entries e
                  WHERE e.kind IN ('capture', 'transfer', 'transfer_out') AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) c ON c.tenant_id = h.tenant_id AND c.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.captured <> coalesce(c.total, 0)
    UNION ALL
    SELECT h.tenant_id, 'refunds_match_hold', h.hold_id::text, h.refunded::numeric, coalesce(r.total, 0)
      FROM wallet.holds h
      LEFT JOIN (SELECT e.tenant_id, e.hold_id, sum(e.amount) AS total FROM wallet.entries e
                  WHERE e.kind = 'refund' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) r ON r.tenant_id = h.tenant_id AND r.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.refunded <> coalesce(r.total, 0)
    UNION ALL
    SELECT e.tenant_id, 'transfer_between_agents', e.entry_id::text, e.amount::numeric, 0
      FROM wallet.entries e
      LEFT JOIN wallet.holds h ON h.tenant_id = e.tenant_id AND h.hold_id = e.hold_id
     WHERE e.kind = 'transfer' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
       AND (h.hold_id IS NULL OR h.payee_kind <> 'agent' OR h.payee_tenant IS NOT NULL OR e.debit_account <> h.agent_id
            OR e.credit_account <> h.provider_id
            OR NOT EXISTS (SELECT 1 FROM accts a WHERE a.tenant_id = e.tenant_id AND a.account_id = e.credit_account
                              AND a.kind = 'agent'))
    UNION ALL
    SELECT coalesce(l.out_tenant, l.in_tenant), 'cross_tenant_legs_match', l.hold_id::text,
           coalesce(l.out_total, 0), coalesce(l.in_total, 0)
      FROM (SELECT e.hold_id,
                   (array_agg(e.tenant_id) FILTER (WHERE e.kind = 'transfer_out'))[1] AS out_tenant,
                   (array_agg(e.tenant_id) FILTER (WHERE e.kind = 'transfer_in'))[1] AS in_tenant,
                   (array_agg(e.debit_account) FILTER (WHERE e.kind = 'transfer_out'))[1] AS out_debit,
                   (array_agg(e.credit_account) FILTER (WHERE e.kind = 'transfer_out'))[1] AS out_credit,
                   (array_agg(e.debit_account) FILTER (WHERE e.kind = 'transfer_in'))[1] AS in_debit,
                   (array_agg(e.credit_account) FILTER (WHERE e.kind = 'transfer_in'))[1] AS in_credit,
                   sum(e.amount) FILTER (WHERE e.kind = 'transfer_out') AS out_total,
                   sum(e.amount) FILTER (WHERE e.kind = 'transfer_in') AS in_total,
                   count(*) FILTER (WHERE e.kind = 'transfer_out') AS outs,
                   count(*) FILTER (WHERE e.kind = 'transfer_in') AS ins
              FROM wallet.entries e
             WHERE e.kind IN ('transfer_out', 'transfer_in')
             GROUP BY e.hold_id) l
      LEFT JOIN wallet.holds h ON h.tenant_id = l.out_tenant AND h.hold_id = l.hold_id
     WHERE (p_tenant IS NULL OR l.out_tenant = p_tenant OR l.in_tenant = p_tenant)
       AND (h.hold_id IS NULL OR l.outs <> 1 OR l.ins <> 1 OR l.out_total IS DISTINCT FROM l.in_total
            OR l.in_tenant IS DISTINCT FROM h.payee_tenant OR l.out_debit <> h.agent_id OR l.in_credit <> h.provider_id
            OR l.out_credit <> wallet.position_account('payable', h.tenant_id, h.payee_tenant)
            OR l.in_debit <> wallet.position_account('receivable', h.payee_tenant, h.tenant_id))
    UNION ALL
    SELECT coalesce(p.tenant_id, r.counter_tenant), 'positions_mirror',
           coalesce(p.tenant_id, r.counter_tenant)::text || '->' || coalesce(p.counter_tenant, r.tenant_id)::text,
           coalesce(p.balance, 0)::numeric, -coalesce(r.balance, 0)::numeric
      FROM (SELECT * FROM wallet.accounts WHERE kind = 'payable') p
      FULL JOIN (SELECT * FROM wallet.accounts WHERE kind = 'receivable') r
        ON r.tenant_id = p.counter_tenant AND r.counter_tenant = p.tenant_id
     WHERE (p_tenant IS NULL OR p.tenant_id = p_tenant OR r.tenant_id = p_tenant)
       AND coalesce(p.balance, 0) <> -coalesce(r.balance, 0)
$$;
"""#
}
