extension WalletMigrations {
    /// Migration 3: what the dashboard reads. `wallet.denials` records every
    /// refused spend (tenant-scoped, newest read first by `seq`); a partial
    /// index on captures and refunds by time, covering what the sums read,
    /// makes a tenant's spend today, this week and this month one index-only
    /// range scan; holds are listed per agent,
    /// newest first, from their own index.
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
CREATE INDEX entries_spend_by_time ON wallet.entries (tenant_id, created_at) INCLUDE (agent_id, kind, amount)
    WHERE kind IN ('capture', 'refund');
CREATE INDEX holds_by_agent_time ON wallet.holds (tenant_id, agent_id, created_at, hold_id);
"""#
}
