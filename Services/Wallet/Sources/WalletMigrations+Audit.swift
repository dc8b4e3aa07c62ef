extension WalletMigrations {
    /// The ledger audit: every invariant that can be checked from the database.
    static let audit = #"""
CREATE FUNCTION wallet.audit(p_tenant uuid)
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
      FROM accts a WHERE a.kind <> 'funding' AND a.balance::numeric - a.held < 0
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
                  WHERE e.kind = 'capture' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) c ON c.tenant_id = h.tenant_id AND c.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.captured <> coalesce(c.total, 0)
    UNION ALL
    SELECT h.tenant_id, 'refunds_match_hold', h.hold_id::text, h.refunded::numeric, coalesce(r.total, 0)
      FROM wallet.holds h
      LEFT JOIN (SELECT e.tenant_id, e.hold_id, sum(e.amount) AS total FROM wallet.entries e
                  WHERE e.kind = 'refund' AND (p_tenant IS NULL OR e.tenant_id = p_tenant)
                  GROUP BY e.tenant_id, e.hold_id) r ON r.tenant_id = h.tenant_id AND r.hold_id = h.hold_id
     WHERE (p_tenant IS NULL OR h.tenant_id = p_tenant) AND h.refunded <> coalesce(r.total, 0)
$$;
"""#
}
