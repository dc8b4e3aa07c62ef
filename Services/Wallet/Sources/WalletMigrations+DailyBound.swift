extension WalletMigrations {
    /// The per-tenant daily bound: what one tenant's Fund, Authorize, Charge
    /// and Refund calls move in one UTC day, counted in one row per tenant and
    /// day and checked in the same transaction as the movement.
    ///
    /// `take_daily_movement` reserves an amount with one conditional upsert:
    /// the row lock serializes a tenant's callers and the condition is checked
    /// against the latest committed total, so concurrent callers can never
    /// pass the bound together. The `*_bounded` functions wrap the ledger
    /// functions without changing them: they reserve first (so the tenant's
    /// row is always locked before any account row, in tenant order, and
    /// cannot deadlock with the ledger's own locks), call the ledger function,
    /// and give back what a denial did not move. A request whose idempotency
    /// key is already stored is a replay: answered by the ledger function and
    /// not counted. A refusal is not stored under the key (a retry on another
    /// day may succeed); it answers FAILED_PRECONDITION
    /// `tenant_daily_limit_exceeded` without saying how much the tenant moved.
    static let dailyBound = #"""
CREATE TABLE wallet.tenant_daily_movement (
    tenant_id uuid   NOT NULL,
    day       date   NOT NULL,
    moved     bigint NOT NULL CHECK (moved >= 0),
    PRIMARY KEY (tenant_id, day)
);

CREATE FUNCTION wallet.utc_day() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'UTC')::date $$;

CREATE FUNCTION wallet.take_daily_movement(p_tenant uuid, p_amount bigint, p_max bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF p_amount <= 0 THEN
        RETURN true;
    END IF;
    IF p_amount > p_max THEN
        RETURN false;
    END IF;
    INSERT INTO wallet.tenant_daily_movement AS m (tenant_id, day, moved)
    VALUES (p_tenant, wallet.utc_day(), p_amount)
    ON CONFLICT (tenant_id, day) DO UPDATE SET moved = m.moved + excluded.moved
     WHERE m.moved <= p_max - excluded.moved;
    RETURN FOUND;
END $$;

CREATE FUNCTION wallet.give_back_daily_movement(p_tenant uuid, p_amount bigint) RETURNS void
LANGUAGE sql AS $$
    UPDATE wallet.tenant_daily_movement SET moved = greatest(moved - p_amount, 0)
     WHERE tenant_id = p_tenant AND day = wallet.utc_day() AND p_amount > 0
$$;

CREATE FUNCTION wallet.daily_limit_denial(p_max bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet.denial('failed_precondition', 'tenant_daily_limit_exceeded',
                         'the tenant would move more than its daily bound of ' || p_max || ' micros today (UTC)')
$$;

CREATE FUNCTION wallet.idem_exists(p_tenant uuid, p_principal text, p_key text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM wallet.idempotency
                    WHERE tenant_id = p_tenant AND principal = p_principal AND idem_key = p_key)
$$;

CREATE FUNCTION wallet.fund_bounded(p_tenant uuid, p_principal text, p_key text, p_currency text,
                                    p_amount bigint, p_reference text, p_description text, p_daily_max bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_counted boolean := NOT wallet.idem_exists(p_tenant, p_principal, p_key);
    v_out jsonb;
BEGIN
    IF v_counted AND NOT wallet.take_daily_movement(p_tenant, p_amount, p_daily_max) THEN
        RETURN wallet.daily_limit_denial(p_daily_max);
    END IF;
    v_out := wallet.fund(p_tenant, p_principal, p_key, p_currency, p_amount, p_reference, p_description);
    IF v_counted AND NOT coalesce((v_out->>'ok')::boolean, false) THEN
        PERFORM wallet.give_back_daily_movement(p_tenant, p_amount);
    END IF;
    RETURN v_out;
END $$;

CREATE FUNCTION wallet.refund_bounded(p_tenant uuid, p_principal text, p_key text, p_hold uuid, p_amount bigint,
                                      p_reason text, p_caller_kind text, p_caller_id uuid, p_daily_max bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_counted boolean := NOT wallet.idem_exists(p_tenant, p_principal, p_key);
    v_reserved bigint := 0;
    v_refunded bigint := 0;
    v_out jsonb;
BEGIN
    IF v_counted THEN
        -- Without an amount the refund takes what is left: reserve that (it can only shrink).
        v_reserved := coalesce(p_amount, (SELECT greatest(h.captured - h.refunded, 0) FROM wallet.holds h
                                           WHERE h.tenant_id = p_tenant AND h.hold_id = p_hold), 0);
        IF NOT wallet.take_daily_movement(p_tenant, v_reserved, p_daily_max) THEN
            RETURN wallet.daily_limit_denial(p_daily_max);
        END IF;
    END IF;
    v_out := wallet.refund(p_tenant, p_principal, p_key, p_hold, p_amount, p_reason, p_caller_kind, p_caller_id);
    IF coalesce((v_out->>'ok')::boolean, false) THEN
        v_refunded := (v_out->>'refunded_micros')::bigint;
    END IF;
    IF v_counted AND v_reserved > v_refunded THEN
        PERFORM wallet.give_back_daily_movement(p_tenant, v_reserved - v_refunded);
    END IF;
    RETURN v_out;
END $$;

CREATE FUNCTION wallet.authorize_agents_bounded(p_groups jsonb, p_daily_max bigint)
RETURNS TABLE (group_index integer, outcome jsonb) LANGUAGE plpgsql AS $$
DECLARE
    g record;
    r record;
    v_kept jsonb;
    v_passed jsonb := '[]'::jsonb;
    v_refused jsonb := '{}'::jsonb;
    v_counted jsonb := '{}'::jsonb;
    v_results jsonb := '{}'::jsonb;
    v_key text;
    v_position integer;
BEGIN
    -- Reserve, tenant by tenant in the order authorize_agents locks accounts,
    -- before any account row is locked. A request refused here is answered
    -- here and not passed on.
    FOR g IN SELECT (x.ord - 1)::integer AS idx, (x.e->>'tenant')::uuid AS tenant, (x.e->>'agent')::uuid AS agent, x.e AS e
               FROM jsonb_array_elements(p_groups) WITH ORDINALITY AS x(e, ord)
              ORDER BY 2, 3, 1 LOOP
        v_kept := '[]'::jsonb;
        FOR r IN SELECT (y.ord - 1)::integer AS idx, y.q AS q
                   FROM jsonb_array_elements(g.e->'requests') WITH ORDINALITY AS y(q, ord)
                  ORDER BY y.ord LOOP
            v_key := g.idx || ':' || r.idx;
            IF NOT (r.q ? 'denial') AND NOT wallet.idem_exists(g.tenant, r.q->>'principal', r.q->>'key') THEN
                IF NOT wallet.take_daily_movement(g.tenant, (r.q->>'amount')::bigint, p_daily_max) THEN
                    v_refused := v_refused || jsonb_build_object(v_key, wallet.daily_limit_denial(p_daily_max));
                    CONTINUE;
                END IF;
                v_counted := v_counted || jsonb_build_object(v_key, (r.q->>'amount')::bigint);
            END IF;
            v_kept := v_kept || jsonb_build_array(r.q);
        END LOOP;
        v_passed := v_passed || jsonb_build_array(jsonb_build_object('idx', g.idx, 'group', jsonb_set(g.e, '{requests}', v_kept)));
    END LOOP;
    SELECT coalesce(jsonb_agg(p->'group' ORDER BY (p->>'idx')::integer), '[]'::jsonb) INTO v_passed
      FROM jsonb_array_elements(v_passed) AS p;
    FOR r IN SELECT a.group_index AS idx, a.outcome AS o FROM wallet.authorize_agents(v_passed) AS a LOOP
        v_results := jsonb_set(v_results, ARRAY[r.idx::text],
                               coalesce(v_results->(r.idx::text), '[]'::jsonb) || jsonb_build_array(r.o));
    END LOOP;
    -- Answer in request order; give back what a denial did not move.
    FOR g IN SELECT (x.ord - 1)::integer AS idx, (x.e->>'tenant')::uuid AS tenant,
                    jsonb_array_length(x.e->'requests') AS n
               FROM jsonb_array_elements(p_groups) WITH ORDINALITY AS x(e, ord)
              ORDER BY x.ord LOOP
        v_position := 0;
        FOR i IN 0 .. g.n - 1 LOOP
            v_key := g.idx || ':' || i;
            group_index := g.idx;
            IF v_refused ? v_key THEN
                outcome := v_refused->v_key;
            ELSE
                outcome := v_results->(g.idx::text)->v_position;
                v_position := v_position + 1;
                IF v_counted ? v_key AND NOT coalesce((outcome->>'ok')::boolean, false) THEN
                    PERFORM wallet.give_back_daily_movement(g.tenant, (v_counted->>v_key)::bigint);
                END IF;
            END IF;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
"""#
}
