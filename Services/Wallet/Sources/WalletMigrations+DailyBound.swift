extension WalletMigrations {
    /// The per-tenant daily bound: what one tenant's Fund and Refund calls
    /// bring into its accounts in one UTC day, counted in one row per tenant
    /// and day and checked in the same transaction as the movement.
    ///
    /// Only inflows are counted: an agent can authorize, charge or capture no
    /// more than its balance, and balances grow only by Fund and Refund, so
    /// bounding those bounds every total the ledger and settlement compute
    /// (at the default of 10^15 µ a day, Int64 is reached after 25 years),
    /// and the authorization path keeps no tenant-wide row.
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
"""#
}
