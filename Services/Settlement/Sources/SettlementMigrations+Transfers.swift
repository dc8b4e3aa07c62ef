extension SettlementMigrations {
    /// Payments across tenants read from the Wallet's TransferFeed (its own
    /// cursor row, `wallet_transfers`) and the tenant batches that net them.
    /// A transfer and a tenant batch belong to two tenants, so their keys are
    /// the Wallet's entry id and the batch id; each tenant's rows are found
    /// through `tenant_low` / `tenant_high` (a batch) or `payer_tenant` /
    /// `payee_tenant` (a transfer). Totals are `numeric` like the provider
    /// batches', converted where they are answered. Tenant ids compare
    /// byte by byte (`COLLATE "C"`), as Swift compares them, so "low" and
    /// "high" mean the same on both sides.
    static let transfers = """
        INSERT INTO feed_cursor (source, cursor) VALUES ('wallet_transfers', '');

        CREATE TABLE transfers (
            entry_id text PRIMARY KEY,
            payer_tenant text COLLATE "C" NOT NULL,
            payee_tenant text COLLATE "C" NOT NULL CHECK (payee_tenant <> payer_tenant),
            currency text NOT NULL,
            amount_micros bigint NOT NULL CHECK (amount_micros > 0),
            hold_id text NOT NULL,
            occurred_at_us bigint NOT NULL CHECK (occurred_at_us > 0),
            stored_at_us bigint NOT NULL,
            tenant_batch_id uuid,
            adjustment boolean NOT NULL DEFAULT false
        );
        CREATE INDEX transfers_unbatched ON transfers (occurred_at_us) WHERE tenant_batch_id IS NULL;
        CREATE INDEX transfers_time ON transfers (occurred_at_us);
        CREATE INDEX transfers_batch ON transfers (tenant_batch_id) WHERE tenant_batch_id IS NOT NULL;

        CREATE TABLE tenant_batches (
            batch_id uuid PRIMARY KEY,
            tenant_low text COLLATE "C" NOT NULL,
            tenant_high text COLLATE "C" NOT NULL,
            currency text NOT NULL,
            period_start_us bigint NOT NULL,
            period_end_us bigint NOT NULL,
            state text NOT NULL CHECK (state IN ('open', 'closed', 'paid')),
            low_to_high_micros numeric NOT NULL DEFAULT 0,
            high_to_low_micros numeric NOT NULL DEFAULT 0,
            debtor_tenant text COLLATE "C" NOT NULL,
            creditor_tenant text COLLATE "C" NOT NULL,
            net_micros numeric NOT NULL DEFAULT 0 CHECK (net_micros >= 0),
            transfer_count bigint NOT NULL DEFAULT 0,
            external_reference text NOT NULL DEFAULT '',
            created_at_us bigint NOT NULL,
            closed_at_us bigint NOT NULL DEFAULT 0,
            paid_at_us bigint NOT NULL DEFAULT 0,
            UNIQUE (tenant_low, tenant_high, currency, period_start_us),
            CHECK (tenant_low < tenant_high),
            CHECK (state <> 'paid' OR external_reference <> '')
        );
        CREATE INDEX tenant_batches_low ON tenant_batches (tenant_low, period_start_us DESC);
        CREATE INDEX tenant_batches_high ON tenant_batches (tenant_high, period_start_us DESC);
        CREATE INDEX tenant_batches_period ON tenant_batches (period_start_us DESC, batch_id);
        """
}
