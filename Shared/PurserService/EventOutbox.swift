/// A service's event outbox, `<schema>.event_outbox`: events for webhooks,
/// written by the transaction that causes them (so none is lost and none is
/// invented by a rolled-back transaction), and relayed to Identity by
/// `EventRelay` in `seq` order.
///
/// `dedupe_key` makes an event at most once per key (`ON CONFLICT DO
/// NOTHING`): a cap reached once per window, a denial reported once per
/// minute. Relayed rows are kept for `EventOutbox.retention` so those keys
/// outlive the windows they guard, then purged by the relay.
public enum EventOutbox {
    /// How long relayed rows are kept (longer than the longest spending window, a month).
    public static let retentionDays = 40

    /// The table and its indexes in `schema`, for that service's migration.
    /// Needs `gen_random_uuid()` (PostgreSQL 13+).
    public static func tableSQL(schema: String) -> String {
        """
        CREATE TABLE \(schema).event_outbox (
            tenant_id   uuid        NOT NULL,
            seq         bigserial   NOT NULL,
            event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
            type        text        NOT NULL,
            agent_id    uuid,
            dedupe_key  text,
            data        jsonb       NOT NULL,
            occurred_at timestamptz NOT NULL DEFAULT now(),
            relayed_at  timestamptz,
            PRIMARY KEY (tenant_id, seq)
        );
        CREATE UNIQUE INDEX event_outbox_dedupe ON \(schema).event_outbox (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
        CREATE INDEX event_outbox_unrelayed ON \(schema).event_outbox (seq) WHERE relayed_at IS NULL;
        CREATE INDEX event_outbox_relayed ON \(schema).event_outbox (relayed_at) WHERE relayed_at IS NOT NULL;

        -- Wakes the relay when the transaction commits (one notification per
        -- transaction however many rows it wrote: PostgreSQL folds repeats).
        CREATE FUNCTION \(schema).event_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('\(channel(schema: schema))', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER event_outbox_notify AFTER INSERT ON \(schema).event_outbox
            FOR EACH ROW EXECUTE FUNCTION \(schema).event_outbox_notify();
        """
    }

    /// The LISTEN channel told of every transaction that wrote to `schema`'s outbox.
    public static func channel(schema: String) -> String { "\(schema)_events" }
}
