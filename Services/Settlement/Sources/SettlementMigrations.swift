import PurserPostgres
import PurserService

/// The `settlement` schema. Tenant-scoped tables have primary keys starting
/// with `tenant_id`; ids are text as the Wallet sends them.
package enum SettlementMigrations {
    /// Every migration, in version order. A migration never changes once
    /// applied (the migrator checks its checksum): change the schema by adding one.
    package static let all: [Migration] = [
        Migration(version: 1, name: "feed entries and cursor", sql: """
            CREATE TABLE feed_cursor (
                source text PRIMARY KEY,
                cursor text NOT NULL,
                entries_stored bigint NOT NULL DEFAULT 0,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO feed_cursor (source, cursor) VALUES ('wallet', '');

            CREATE TABLE entries (
                tenant_id text NOT NULL,
                entry_id text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('capture', 'refund')),
                agent_id text NOT NULL,
                provider_id text NOT NULL,
                category text NOT NULL,
                currency text NOT NULL,
                amount_micros bigint NOT NULL CHECK (amount_micros > 0),
                hold_id text NOT NULL,
                occurred_at_us bigint NOT NULL CHECK (occurred_at_us > 0),
                day_at_us bigint GENERATED ALWAYS AS (occurred_at_us - occurred_at_us % 86400000000) STORED,
                stored_at_us bigint NOT NULL,
                batch_id uuid,
                adjustment boolean NOT NULL DEFAULT false,
                PRIMARY KEY (tenant_id, entry_id)
            );
            CREATE INDEX entries_unbatched ON entries (occurred_at_us) WHERE batch_id IS NULL;
            CREATE INDEX entries_tenant_time ON entries (tenant_id, occurred_at_us);
            CREATE INDEX entries_time ON entries (occurred_at_us);
            CREATE INDEX entries_batch ON entries (tenant_id, batch_id) WHERE batch_id IS NOT NULL;
            """),
        Migration(version: 2, name: "periods and batches", sql: """
            CREATE TABLE periods (
                start_at_us bigint NOT NULL,
                end_at_us bigint NOT NULL CHECK (end_at_us > start_at_us),
                closed boolean NOT NULL DEFAULT false,
                created_at_us bigint NOT NULL,
                closed_at_us bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (start_at_us, end_at_us)
            );

            CREATE TABLE batches (
                tenant_id text NOT NULL,
                batch_id uuid NOT NULL,
                provider_id text NOT NULL,
                currency text NOT NULL,
                period_start_us bigint NOT NULL,
                period_end_us bigint NOT NULL,
                state text NOT NULL CHECK (state IN ('open', 'closed', 'paid')),
                capture_micros numeric NOT NULL DEFAULT 0,
                refund_micros numeric NOT NULL DEFAULT 0,
                net_micros numeric NOT NULL DEFAULT 0,
                adjustment_micros numeric NOT NULL DEFAULT 0,
                entry_count bigint NOT NULL DEFAULT 0,
                external_reference text NOT NULL DEFAULT '',
                created_at_us bigint NOT NULL,
                closed_at_us bigint NOT NULL DEFAULT 0,
                paid_at_us bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, batch_id),
                UNIQUE (tenant_id, provider_id, currency, period_start_us),
                CHECK (state <> 'paid' OR external_reference <> '')
            );
            -- A batch is named by its id alone (MarkBatchPaid, GetBatch): the
            -- directory finds its tenant, so `batches` stays keyed by tenant.
            CREATE TABLE batch_directory (
                batch_id uuid PRIMARY KEY,
                tenant_id text NOT NULL
            );
            CREATE INDEX batches_provider ON batches (provider_id, period_start_us);
            CREATE INDEX batches_period ON batches (period_start_us DESC, batch_id);

            CREATE TABLE batch_lines (
                tenant_id text NOT NULL,
                batch_id uuid NOT NULL,
                agent_id text NOT NULL,
                category text NOT NULL,
                day_at_us bigint NOT NULL,
                adjustment boolean NOT NULL,
                capture_micros numeric NOT NULL,
                refund_micros numeric NOT NULL,
                net_micros numeric NOT NULL,
                entry_count bigint NOT NULL,
                PRIMARY KEY (tenant_id, batch_id, agent_id, category, day_at_us, adjustment),
                FOREIGN KEY (tenant_id, batch_id) REFERENCES batches (tenant_id, batch_id)
            );
            CREATE INDEX batch_lines_day ON batch_lines (day_at_us);

            -- Totals are numeric, so a run never fails on a sum past Int64.max (one
            -- tenant's totals would otherwise stop the run for every tenant); a total
            -- is converted back where it is answered, NULL when it does not fit, which
            -- the readers refuse as `total_out_of_range`.
            CREATE FUNCTION settlement.int64_or_null(p_value numeric) RETURNS bigint
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT CASE WHEN p_value BETWEEN -9223372036854775808 AND 9223372036854775807 THEN p_value::bigint END
            $$;
            """),
        Migration(version: 3, name: "events for webhooks", sql: events),
        Migration(version: 4, name: "transfers between tenants and tenant batches", sql: transfers),
    ]

    /// Settlement's events for webhooks, in `settlement.event_outbox`
    /// (relayed to Identity by `EventRelay`): `settlement.batch_closed` and
    /// `settlement.batch_paid` by a row trigger on the batch's state change,
    /// so each is written by the transaction that closes or pays the batch;
    /// `reconciliation.mismatch` by `SettlementStore.recordMismatches` when a
    /// reconciliation finds a discrepancy, once per period and discrepancy.
    static var events: String {
        EventOutbox.tableSQL(schema: "settlement") + """

            CREATE FUNCTION settlement.batch_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Tenants are UUIDs; a batch of any other id belongs to no tenant to tell.
                IF NEW.tenant_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
                    RETURN NULL;
                END IF;
                INSERT INTO settlement.event_outbox (tenant_id, type, data)
                VALUES (NEW.tenant_id::uuid,
                        CASE NEW.state WHEN 'closed' THEN 'settlement.batch_closed' ELSE 'settlement.batch_paid' END,
                        jsonb_strip_nulls(jsonb_build_object(
                            'batch_id', NEW.batch_id, 'provider_id', NEW.provider_id, 'currency', NEW.currency,
                            'period_start_us', NEW.period_start_us, 'period_end_us', NEW.period_end_us,
                            'capture_micros', NEW.capture_micros, 'refund_micros', NEW.refund_micros,
                            'net_micros', NEW.net_micros, 'entry_count', NEW.entry_count,
                            'closed_at_us', NEW.closed_at_us, 'paid_at_us', nullif(NEW.paid_at_us, 0),
                            'external_reference', nullif(NEW.external_reference, ''))));
                RETURN NULL;
            END $$;

            CREATE TRIGGER batches_events AFTER UPDATE OF state ON settlement.batches
                FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state IN ('closed', 'paid'))
                EXECUTE FUNCTION settlement.batch_events();
            """
    }
}
