extension WalletMigrations {
    /// Migration 3: what the dashboard reads. `wallet.denials` records every
    /// refused spend (tenant-scoped, newest read first by `seq`); holds are
    /// listed per agent, newest first, from their own index.
    static let overview = #"""
CREATE TABLE wallet.denials (
    tenant_id   uuid        NOT NULL,
    seq         bigint      GENERATED ALWAYS AS IDENTITY,
    agent_id    uuid        NOT NULL,
    method      text        NOT NULL,
    reason      text        NOT NULL,
    rule        text        NOT NULL DEFAULT '',
    headroom    bigint,
    amount      bigint      NOT NULL,
    provider_id text        NOT NULL DEFAULT '',
    category    text        NOT NULL DEFAULT '',
    message     text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX denials_by_agent ON wallet.denials (tenant_id, agent_id, seq);
CREATE INDEX holds_by_agent_time ON wallet.holds (tenant_id, agent_id, created_at, hold_id);
"""#

    /// Migration 4: each agent's captures less refunds per UTC day, kept by a
    /// row trigger on `wallet.entries` in the transaction that writes the
    /// entry (after the agent's account row is locked, so one agent's rows
    /// are written in order and two transactions never wait on each other
    /// here), and filled from the entries already written. A tenant's spend
    /// today, this week and this month is then a read of at most 31 rows per
    /// agent instead of a scan of the month's entries. `net` is `numeric`, so
    /// the trigger can never refuse an entry: only a damaged ledger sums past
    /// 64 bits, and a read of it then fails (SQLSTATE 22003), never wraps.
    static let spendPerDay = #"""
CREATE TABLE wallet.agent_spend_days (
    tenant_id uuid        NOT NULL,
    agent_id  uuid        NOT NULL,
    day       date        NOT NULL,
    net       numeric     NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, day)
);

CREATE FUNCTION wallet.roll_up_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.agent_spend_days AS d (tenant_id, agent_id, day, net, last_at)
    VALUES (NEW.tenant_id, NEW.agent_id, (NEW.created_at AT TIME ZONE 'UTC')::date,
            CASE WHEN NEW.kind = 'capture' THEN NEW.amount ELSE -NEW.amount END, NEW.created_at)
    ON CONFLICT (tenant_id, agent_id, day)
    DO UPDATE SET net = d.net + excluded.net, last_at = greatest(d.last_at, excluded.last_at);
    RETURN NULL;
END
$$;

CREATE TRIGGER entries_roll_up_spend AFTER INSERT ON wallet.entries
    FOR EACH ROW WHEN (NEW.kind IN ('capture', 'refund') AND NEW.agent_id IS NOT NULL)
    EXECUTE FUNCTION wallet.roll_up_spend();

INSERT INTO wallet.agent_spend_days (tenant_id, agent_id, day, net, last_at)
SELECT tenant_id, agent_id, (created_at AT TIME ZONE 'UTC')::date,
       sum(CASE WHEN kind = 'capture' THEN amount ELSE -amount END), max(created_at)
  FROM wallet.entries
 WHERE kind IN ('capture', 'refund') AND agent_id IS NOT NULL
 GROUP BY 1, 2, 3;
"""#
}
