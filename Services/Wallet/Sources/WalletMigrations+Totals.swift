extension WalletMigrations {
    /// What `Ledger.totals` needs: the instant of a Unix µs count (exact, from
    /// whole seconds plus microseconds) and an index of captures and refunds by
    /// creation time, so a period's totals read only that period's entries.
    static let totals = #"""
CREATE FUNCTION wallet.at_us(p_us bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT timestamptz 'epoch' + (p_us / 1000000) * interval '1 second' + (p_us % 1000000) * interval '1 microsecond'
$$;

CREATE INDEX entries_settled_by_time ON wallet.entries (created_at)
    INCLUDE (tenant_id, provider_id, currency, kind, amount)
    WHERE kind IN ('capture', 'refund');
"""#
}
