import PurserPostgres

/// The Wallet's schema (`wallet`), applied in order by `Migrator` at start-up.
///
/// The ledger's invariants live in the database itself: `balance - held >= 0`
/// and `held >= 0` are CHECK constraints on agent and treasury accounts, and
/// every money movement is a function that takes its row locks in the fixed
/// order (funding, treasury, agent account, hold) and stores its idempotency
/// record in the same transaction as its effect.
public enum WalletMigrations {
    /// Database schema owned by the Wallet.
    public static let schema = "wallet"

    /// Every migration, oldest first.
    public static let all: [Migration] = [
        Migration(version: 1, name: "ledger tables", sql: ledgerTables),
        Migration(version: 2, name: "ledger functions", sql: ledgerFunctions),
    ]

    /// The migrator for the `wallet` schema.
    public static var migrator: Migrator { Migrator(schema: schema, migrations: all) }

    static let ledgerTables = #"""
CREATE TABLE wallet.accounts (
    tenant_id     uuid        NOT NULL,
    account_id    uuid        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('funding', 'treasury', 'agent')),
    currency      text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'revoked')),
    status_reason text        NOT NULL DEFAULT '',
    balance       bigint      NOT NULL DEFAULT 0,
    held          bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id),
    CONSTRAINT accounts_held_not_negative CHECK (held >= 0),
    CONSTRAINT accounts_available_not_negative CHECK (kind = 'funding' OR balance - held >= 0),
    CONSTRAINT accounts_funding_holds_nothing CHECK (kind <> 'funding' OR held = 0)
);

CREATE TABLE wallet.holds (
    tenant_id       uuid        NOT NULL,
    hold_id         uuid        NOT NULL,
    agent_id        uuid        NOT NULL,
    provider_id     uuid        NOT NULL,
    category        text        NOT NULL,
    task_id         text        NOT NULL DEFAULT '',
    description     text        NOT NULL DEFAULT '',
    amount          bigint      NOT NULL CHECK (amount > 0),
    captured        bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    refunded        bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    status          text        NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
    counter_scopes  text[]      NOT NULL DEFAULT '{}',
    counter_windows text[]      NOT NULL DEFAULT '{}',
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    settled_at      timestamptz,
    PRIMARY KEY (tenant_id, hold_id)
);
CREATE INDEX holds_pending_expiry ON wallet.holds (expires_at) WHERE status = 'pending';
CREATE INDEX holds_pending_by_agent ON wallet.holds (tenant_id, agent_id) WHERE status = 'pending';

CREATE TABLE wallet.entries (
    tenant_id      uuid        NOT NULL,
    entry_id       uuid        NOT NULL DEFAULT gen_random_uuid(),
    seq            bigint      GENERATED ALWAYS AS IDENTITY,
    xid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
    kind           text        NOT NULL CHECK (kind IN ('fund', 'allocate', 'reclaim', 'capture', 'refund')),
    debit_account  uuid        NOT NULL,
    credit_account uuid        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount > 0),
    currency       text        NOT NULL,
    agent_id       uuid,
    provider_id    uuid,
    category       text        NOT NULL DEFAULT '',
    hold_id        uuid,
    reference      text        NOT NULL DEFAULT '',
    description    text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entry_id),
    CHECK (debit_account <> credit_account)
);
CREATE INDEX entries_by_tenant ON wallet.entries (tenant_id, seq);
CREATE INDEX entries_by_debit ON wallet.entries (tenant_id, debit_account, seq);
CREATE INDEX entries_by_credit ON wallet.entries (tenant_id, credit_account, seq);
CREATE INDEX entries_feed ON wallet.entries (xid, seq) WHERE kind IN ('capture', 'refund');

CREATE TABLE wallet.spend_counters (
    tenant_id  uuid   NOT NULL,
    agent_id   uuid   NOT NULL,
    scope_key  text   NOT NULL,
    window_key text   NOT NULL,
    spent      bigint NOT NULL DEFAULT 0 CHECK (spent >= 0),
    count      bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (tenant_id, agent_id, scope_key, window_key)
);

CREATE TABLE wallet.idempotency (
    tenant_id    uuid        NOT NULL,
    principal    text        NOT NULL,
    idem_key     text        NOT NULL,
    method       text        NOT NULL,
    request_hash bytea       NOT NULL,
    outcome      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, principal, idem_key)
);
CREATE INDEX idempotency_by_age ON wallet.idempotency (created_at);
"""#

    static let ledgerFunctions = #"""
CREATE FUNCTION wallet.us(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE FUNCTION wallet.funding_account(p_tenant uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT md5('funding:' || p_tenant::text)::uuid $$;

CREATE FUNCTION wallet.treasury_account(p_tenant uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT md5('treasury:' || p_tenant::text)::uuid $$;

CREATE FUNCTION wallet.denial(p_status text, p_reason text, p_message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('ok', false, 'status', p_status, 'reason', p_reason, 'message', p_message)
$$;

-- The stored outcome of an earlier call with this key, a conflict denial when
-- the key was used for a different request, or NULL when the key is new.
-- Callers look up only after taking the row locks that serialize the request,
-- so a concurrent call with the same key is seen once it has committed.
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

-- Stores an outcome under its key. A concurrent transaction that stored the
-- same key first makes this one a serialization failure, so the caller's
-- retry replays the stored outcome.
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
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(convert_to(p_method || '|' || array_to_string(
        ARRAY(SELECT coalesce(quote_literal(x), 'NULL') FROM unnest(p_parts) AS x), '|'), 'UTF8'))
$$;

-- Gives spending headroom back to the counters a hold incremented.
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


-- Fund: funding → treasury. Lock order: funding, then treasury.
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

-- Allocate (treasury → agent) or Reclaim (agent → treasury). Lock order:
-- treasury, then agent.
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

-- Authorize (and Charge = authorize + capture) for a batch of requests for one
-- agent: locks the agent's account row once, decides each request in order
-- (its own idempotency record, its own hold or denial, its own counters),
-- updates the account once. Yields one outcome per request, in order.
-- Each request: {principal, key, method ('Authorize'|'Charge'), provider,
-- category, task, description, amount, ttl_us, limits: [{scope, window, cap, cap_count}]}.
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
        v_out := NULL;
        IF v_status = 'revoked' THEN
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
                v_scopes := v_scopes || (lim->>'scope');
                v_windows := v_windows || (lim->>'window');
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

-- Locks the account of the agent a hold belongs to (account before hold, the
-- order every writer uses) and returns the agent id, or NULL when the hold is
-- not in this tenant.
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

-- Capture all (p_amount NULL) or part of a pending hold; the remainder is
-- released. Callers: the hold's payee provider or its agent.
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

-- Void a pending hold, releasing all of it. Callers: its agent or payee provider.
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

-- Refund all (p_amount NULL) or part of what a hold captured back to its
-- agent; total refunds never exceed the capture. Callers: the payee provider
-- or a tenant admin.
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

-- Marks an agent's account revoked (creating it if the agent never had one)
-- and voids its pending holds. Idempotent: a second notice changes nothing.
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

-- Releases holds past their expiry. Accounts are locked with SKIP LOCKED, so
-- several sweepers (one per replica) never block one another or a capture.
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

-- Deletes idempotency records older than the retention, a bounded batch at a time.
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

-- Every invariant of the ledger that can be checked from the database, for
-- one tenant (or every tenant when p_tenant is NULL). Returns one row per
-- discrepancy; a sound ledger returns none.
CREATE FUNCTION wallet.audit(p_tenant uuid)
RETURNS TABLE (tenant_id uuid, check_name text, subject text, expected bigint, actual bigint)
LANGUAGE sql STABLE AS $$
    WITH sums AS (
        SELECT e.tenant_id, x.account_id, sum(x.delta)::bigint AS total
          FROM wallet.entries e
          CROSS JOIN LATERAL (VALUES (e.credit_account, e.amount), (e.debit_account, -e.amount)) AS x(account_id, delta)
         WHERE p_tenant IS NULL OR e.tenant_id = p_tenant
         GROUP BY e.tenant_id, x.account_id
    ), pending AS (
        SELECT h.tenant_id, h.agent_id, sum(h.amount)::bigint AS total FROM wallet.holds h
         WHERE h.status = 'pending' AND (p_tenant IS NULL OR h.tenant_id = p_tenant)
         GROUP BY h.tenant_id, h.agent_id
    ), accts AS (
        SELECT * FROM wallet.accounts a WHERE p_tenant IS NULL OR a.tenant_id = p_tenant
    )
    SELECT a.tenant_id, 'balance_equals_entries', a.account_id::text, coalesce(s.total, 0), a.balance
      FROM accts a LEFT JOIN sums s ON s.tenant_id = a.tenant_id AND s.account_id = a.account_id
     WHERE a.balance <> coalesce(s.total, 0)
    UNION ALL
    SELECT a.tenant_id, 'held_equals_pending_holds', a.account_id::text, coalesce(p.total, 0), a.held
      FROM accts a LEFT JOIN pending p ON p.tenant_id = a.tenant_id AND p.agent_id = a.account_id
     WHERE a.held <> coalesce(p.total, 0)
    UNION ALL
    SELECT a.tenant_id, 'available_not_negative', a.account_id::text, 0, a.balance - a.held
      FROM accts a WHERE a.kind <> 'funding' AND a.balance - a.held < 0
    UNION ALL
    SELECT p.tenant_id, 'holds_have_accounts', p.agent_id::text, p.total, 0
      FROM pending p WHERE NOT EXISTS (
          SELECT 1 FROM accts a WHERE a.tenant_id = p.tenant_id AND a.account_id = p.agent_id)
    UNION ALL
    SELECT t.tenant_id, 'tenant_sums_to_zero', t.tenant_id::text, 0, t.total
      FROM (SELECT s.tenant_id, sum(coalesce(a.balance, s.total))::bigint AS total
              FROM sums s LEFT JOIN accts a ON a.tenant_id = s.tenant_id AND a.account_id = s.account_id
             GROUP BY s.tenant_id) t
     WHERE t.total <> 0
    UNION ALL
    SELECT h.tenant_id, 'capture_matches_hold', h.hold_id::text, h.captured, coalesce(c.total, 0)
      FROM wallet.holds h
      LEFT JOIN (SELECT e.tenant_id, e.hold_id, sum(e.amount)::bigint AS total FROM wallet.entries e
                  WHERE e.kind = 'capture' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) c ON c.tenant_id = h.tenant_id AND c.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.captured <> coalesce(c.total, 0)
    UNION ALL
    SELECT h.tenant_id, 'refunds_match_hold', h.hold_id::text, h.refunded, coalesce(r.total, 0)
      FROM wallet.holds h
      LEFT JOIN (SELECT e.tenant_id, e.hold_id, sum(e.amount)::bigint AS total FROM wallet.entries e
                  WHERE e.kind = 'refund' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) r ON r.tenant_id = h.tenant_id AND r.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.refunded <> coalesce(r.total, 0)
$$;
"""#
}
