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
        """
    }
}
