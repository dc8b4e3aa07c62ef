import PurserAPI
import PurserPostgres

/// A delivery claimed for one attempt, with what the attempt sends.
struct ClaimedDelivery: Sendable {
    let tenantID: String
    let deliveryID: String
    let endpointID: String
    let eventID: String
    let eventType: String
    /// Empty for events not about one agent (their deliveries keep no order).
    let agentID: String
    let url: String
    /// The payload's `timestamp` (RFC 3339, UTC, microseconds).
    let occurredAt: String
    let occurredAtUs: Int64
    /// The payload's `data` object as JSON text.
    let dataJSON: String
    /// Attempts recorded before this one.
    let attemptCount: Int

    /// The body every attempt of this delivery sends: the same bytes each time.
    var body: [UInt8] {
        let version = EventCatalogue.type(named: eventType)?.version ?? 1
        // Every interpolated value is a UUID, a catalogue name or a timestamp
        // (no JSON escaping needed); `data` is PostgreSQL's own JSON text.
        return Array("""
            {"id":"\(eventID)","type":"\(eventType)","version":\(version),"timestamp":"\(occurredAt)",\
            "tenant_id":"\(tenantID)","data":\(dataJSON)}
            """.utf8)
    }
}

/// What became of a delivery after an attempt was recorded.
enum RecordedOutcome: Sendable, Equatable {
    case delivered
    case retrying
    /// The retry period ended; `disabledEndpoint` when this failure disabled its endpoint.
    case failed(disabledEndpoint: Bool)
    /// The delivery was deleted (its endpoint was) or already settled meanwhile.
    case gone
}

/// The SQL of webhook deliveries: claiming due ones for a lease, and
/// recording each attempt with its consequence, in one transaction.
struct WebhookDeliveryStore: Sendable {
    let pool: PostgresPool

    /// The columns `ClaimedDelivery.init(row:)` reads, from `w` (delivery), `e` (endpoint), `ev` (event).
    static let returning = """
        w.tenant_id::text, w.delivery_id::text, w.endpoint_id::text, w.event_id::text, w.event_type,
        coalesce(w.agent_id::text, ''), e.url,
        to_char(ev.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), identity.to_us(ev.occurred_at), ev.data::text,
        w.attempt_count
        """

    static func claimed(_ row: PostgresRow) throws(PostgresError) -> ClaimedDelivery {
        ClaimedDelivery(
            tenantID: try row.decode(String.self, at: 0), deliveryID: try row.decode(String.self, at: 1),
            endpointID: try row.decode(String.self, at: 2), eventID: try row.decode(String.self, at: 3),
            eventType: try row.decode(String.self, at: 4), agentID: try row.decode(String.self, at: 5),
            url: try row.decode(String.self, at: 6), occurredAt: try row.decode(String.self, at: 7),
            occurredAtUs: try row.decode(Int64.self, at: 8), dataJSON: try row.decode(String.self, at: 9),
            attemptCount: try row.decode(Int.self, at: 10))
    }

    /// Claims up to `limit` due deliveries of enabled endpoints for `lease`:
    /// of one agent's pending deliveries to an endpoint only the earliest, so
    /// they go out in order. Rows another deliverer holds are skipped.
    func claimDue(limit: Int, lease: Duration) async throws -> [ClaimedDelivery] {
        let leaseUs = lease.microseconds
        return try await pool.withTransaction { connection in
            try connection.query(
                """
                WITH due AS (
                    SELECT d.tenant_id, d.delivery_id FROM identity.webhook_deliveries d
                      JOIN identity.webhook_endpoints en ON en.tenant_id = d.tenant_id AND en.endpoint_id = d.endpoint_id
                     WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND en.enabled
                       AND (d.agent_id IS NULL OR NOT EXISTS (
                            SELECT 1 FROM identity.webhook_deliveries p
                             WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.agent_id = d.agent_id
                               AND p.status = 'pending' AND p.seq < d.seq))
                     ORDER BY d.next_attempt_at LIMIT $1
                     FOR UPDATE OF d SKIP LOCKED)
                UPDATE identity.webhook_deliveries w SET next_attempt_at = now() + $2 * interval '1 microsecond'
                  FROM due, identity.webhook_endpoints e, identity.events ev
                 WHERE w.tenant_id = due.tenant_id AND w.delivery_id = due.delivery_id
                   AND e.tenant_id = w.tenant_id AND e.endpoint_id = w.endpoint_id
                   AND ev.tenant_id = w.tenant_id AND ev.event_id = w.event_id
                RETURNING \(Self.returning)
                """, [limit, leaseUs]
            ).map(Self.claimed)
        }
    }

    /// Claims the next delivery of `after`'s agent queue (same endpoint and
    /// agent) when it is due, for `lease`; nil when none is.
    func claimNext(after delivery: ClaimedDelivery, lease: Duration) async throws -> ClaimedDelivery? {
        guard !delivery.agentID.isEmpty else { return nil }
        let leaseUs = lease.microseconds
        return try await pool.withTransaction { connection in
            try connection.query(
                """
                WITH head AS (
                    SELECT d.tenant_id, d.delivery_id, d.next_attempt_at FROM identity.webhook_deliveries d
                     WHERE d.tenant_id = $1 AND d.endpoint_id = $2 AND d.agent_id = $3 AND d.status = 'pending'
                     ORDER BY d.seq LIMIT 1
                     FOR UPDATE OF d)
                UPDATE identity.webhook_deliveries w SET next_attempt_at = now() + $4 * interval '1 microsecond'
                  FROM head, identity.webhook_endpoints e, identity.events ev
                 WHERE w.tenant_id = head.tenant_id AND w.delivery_id = head.delivery_id AND head.next_attempt_at <= now()
                   AND e.tenant_id = w.tenant_id AND e.endpoint_id = w.endpoint_id AND e.enabled
                   AND ev.tenant_id = w.tenant_id AND ev.event_id = w.event_id
                RETURNING \(Self.returning)
                """, [delivery.tenantID, delivery.endpointID, delivery.agentID, leaseUs]
            ).first.map(Self.claimed)
        }
    }

    /// The sealed signing secrets an endpoint signs with now, newest first.
    func secrets(tenantID: String, endpointID: String) async throws -> [(id: Int64, sealed: [UInt8])] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT secret_id, sealed_secret FROM identity.webhook_secrets
                 WHERE tenant_id = $1 AND endpoint_id = $2 AND (expires_at IS NULL OR expires_at > now())
                 ORDER BY secret_id DESC
                """, [tenantID, endpointID]
            ).map { row in (try row.decode(Int64.self, at: 0), try row.decode([UInt8].self, at: 1)) }
        }
    }

    /// Records one attempt and what follows from it, in one transaction: a 2xx
    /// delivers; a failure within `retryPeriod` of the delivery's creation (or
    /// of its redelivery) waits `retryDelay`; a later failure fails the delivery and disables its
    /// endpoint (with a `webhook.endpoint_disabled` event to the tenant's other
    /// endpoints).
    func record(_ delivery: ClaimedDelivery, result: AttemptRecord, retryDelay: Duration, retryPeriod: Duration) async throws
        -> RecordedOutcome
    {
        try await pool.withTransaction { connection -> RecordedOutcome in
            let updated = try connection.query(
                """
                UPDATE identity.webhook_deliveries
                   SET attempt_count = attempt_count + 1,
                       status = CASE WHEN $3 THEN 'delivered'
                                     WHEN now() - retry_from >= $4 * interval '1 microsecond' THEN 'failed'
                                     ELSE 'pending' END,
                       delivered_at = CASE WHEN $3 THEN now() END,
                       next_attempt_at = now() + $5 * interval '1 microsecond'
                 WHERE tenant_id = $1 AND delivery_id = $2 AND status = 'pending'
                RETURNING status, attempt_count
                """, [delivery.tenantID, delivery.deliveryID, result.succeeded, retryPeriod.microseconds, retryDelay.microseconds])
            guard let row = updated.first else { return .gone }
            let status = try row.decode(String.self, at: 0)
            _ = try connection.query(
                """
                INSERT INTO identity.webhook_attempts
                    (tenant_id, delivery_id, attempt, http_status, latency_us, error, response_excerpt, detail)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [delivery.tenantID, delivery.deliveryID, try row.decode(Int.self, at: 1), result.httpStatus,
                      result.latencyUs, result.error, result.responseExcerpt, String(result.detail.prefix(1_000))])
            switch status {
            case "delivered": return .delivered
            case "pending": return .retrying
            default:
                let disabled = try connection.query(
                    """
                    UPDATE identity.webhook_endpoints SET enabled = false, disabled_reason = 'delivery_failing', updated_at = now()
                     WHERE tenant_id = $1 AND endpoint_id = $2 AND enabled
                    RETURNING url
                    """, [delivery.tenantID, delivery.endpointID])
                if let url = try disabled.first?.decode(String.self, at: 0) {
                    _ = try connection.query(
                        """
                        SELECT identity.record_event($1, gen_random_uuid(), $3, NULL, 'identity', now(),
                            jsonb_build_object('endpoint_id', $2::text, 'url', $4::text, 'reason', 'delivery_failing',
                                               'failed_event_id', $5::text))
                        """, [delivery.tenantID, delivery.endpointID, EventCatalogue.endpointDisabled.name, url, delivery.eventID])
                }
                return .failed(disabledEndpoint: !disabled.isEmpty)
            }
        }
    }

    /// Pending deliveries (for the backlog gauge).
    func backlog() async throws -> Int {
        try await pool.withConnection { connection in
            Int(try connection.query("SELECT count(*) FROM identity.webhook_deliveries WHERE status = 'pending'")[0]
                .decode(Int64.self, at: 0))
        }
    }
}

/// One attempt's result as it is stored.
struct AttemptRecord: Sendable {
    var succeeded: Bool
    var httpStatus: Int
    var latencyUs: Int64
    var error: String
    var responseExcerpt: String
    var detail: String
}

