extension WalletMigrations {
    /// Helpers the authorization path calls on every request, rewritten so
    /// PostgreSQL plans them once per connection instead of once per
    /// transaction.
    ///
    /// A `LANGUAGE sql` function that the planner cannot inline is parsed,
    /// analysed and planned again each time a transaction first calls it.
    /// `request_hash` (its body has a sub-select) and `denial` (declared
    /// IMMUTABLE around a STABLE `jsonb_build_object`, so never inlined) were
    /// both in that case. `request_hash` becomes PL/pgSQL (compiled once per
    /// connection) computing the same digest byte for byte, so idempotency
    /// records stored before this migration still match their replays;
    /// `denial` is declared STABLE, which lets the planner inline it.
    static let cachedPlans = #"""
CREATE OR REPLACE FUNCTION wallet.request_hash(p_method text, p_parts text[]) RETURNS bytea
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

CREATE OR REPLACE FUNCTION wallet.denial(p_status text, p_reason text, p_message text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('ok', false, 'status', p_status, 'reason', p_reason, 'message', p_message)
$$;
"""#
}
