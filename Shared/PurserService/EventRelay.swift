import PurserAPI
import PurserKit
import PurserPostgres
import PurserRPC

/// Relays a service's `<schema>.event_outbox` to Identity
/// (`Identity/PublishEvents`, over the service's mutual-TLS link), oldest
/// first, and marks what Identity acknowledged.
///
/// At least once: a batch Identity kept but whose acknowledgement was lost is
/// sent again, and Identity keeps each event id once. One agent's events are
/// written under that agent's row lock, so their `seq` order is their commit
/// order and the relay keeps it. The relay never blocks the service that
/// produced the events: it runs on its own task and holds no connection
/// during a call. It wakes when a transaction that wrote events commits
/// (LISTEN on `EventOutbox.channel`), and every `interval` in any case (a
/// notification sent while its listening connection was down is not replayed).
public final class EventRelay: Service {
    private let pool: PostgresPool
    private let schema: String
    private let identity: IdentityConnection
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger

    /// Relays `schema`'s outbox through `identity`, on each notification and every `interval` while idle.
    public init(pool: PostgresPool, schema: String, identity: IdentityConnection, interval: Duration = .seconds(1),
                batchSize: Int = 500, logger: Logger) {
        self.pool = pool
        self.schema = schema
        self.identity = identity
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Sends one batch of unrelayed events and marks those Identity acknowledged;
    /// returns how many were sent.
    @discardableResult
    public func relayOnce() async throws -> Int {
        let schema = self.schema
        let limit = batchSize
        let pending = try await pool.withConnection { connection -> [(seq: Int64, event: OutboxEvent)] in
            let rows = try connection.query(
                """
                SELECT seq, event_id::text, tenant_id::text, type, coalesce(agent_id::text, ''),
                       (extract(epoch FROM occurred_at) * 1000000)::bigint, data::text
                  FROM \(schema).event_outbox WHERE relayed_at IS NULL ORDER BY seq LIMIT $1
                """, [limit])
            return try rows.map { row in
                var event = OutboxEvent()
                event.id = try row.decode(String.self, at: 1)
                event.tenantID = try row.decode(String.self, at: 2)
                event.type = try row.decode(String.self, at: 3)
                event.agentID = try row.decode(String.self, at: 4)
                event.occurredAtUs = try row.decode(Int64.self, at: 5)
                event.dataJSON = try row.decode(String.self, at: 6)
                return (try row.decode(Int64.self, at: 0), event)
            }
        }
        guard !pending.isEmpty else { return 0 }
        var request = PublishEventsRequest()
        request.events = pending.map(\.event)
        _ = try await identity.client.call(IdentityMethods.publishEvents, request, timeout: .seconds(10))
        let sequence = PostgresArray(pending.map { Optional($0.seq) })
        _ = try await pool.withConnection { connection in
            try connection.execute("UPDATE \(schema).event_outbox SET relayed_at = now() WHERE seq = ANY($1) AND relayed_at IS NULL",
                                   [sequence])
        }
        return pending.count
    }

    /// Deletes relayed rows older than `EventOutbox.retentionDays`.
    public func purge() async throws {
        let schema = self.schema
        _ = try await pool.withConnection { connection in
            try connection.execute(
                "DELETE FROM \(schema).event_outbox WHERE relayed_at < now() - $1 * interval '1 day'", [EventOutbox.retentionDays])
        }
    }

    /// Relays until cancelled: at once while batches come full, on every
    /// notification, every `interval` while idle, backing off (up to 30 s)
    /// while Identity or the database fails.
    public func run() async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let listener = Task { [pool, schema, logger] in
            do {
                for await _ in try await pool.listen(channel: EventOutbox.channel(schema: schema)) { wake.yield() }
            } catch {
                if !Task.isCancelled { logger.warning("event relay cannot listen; polling", ["schema": schema, "error": "\(error)"]) }
            }
        }
        defer { listener.cancel() }
        var iterator = wakes.makeAsyncIterator()
        var failures = 0
        var lastPurge = ContinuousClock.now - .seconds(3600)
        while !Task.isCancelled {
            var wait = interval
            do {
                let sent = try await relayOnce()
                if failures > 0 { logger.info("event relay recovered", ["schema": schema]) }
                failures = 0
                if sent == batchSize { wait = .zero }
                if ContinuousClock.now - lastPurge > .seconds(3600) {
                    try await purge()
                    lastPurge = ContinuousClock.now
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 { logger.warning("event relay failing; retrying", ["schema": schema, "error": "\(error)"]) }
                wait = min(interval * (1 << min(failures, 5)), .seconds(30))
            }
            guard wait > .zero else { continue }
            if failures > 0 {
                // While failing, only the backoff wakes it: notifications would hammer a failing Identity.
                do { try await Task.sleep(for: wait) } catch { return }
                continue
            }
            let timer = Task {
                try? await Task.sleep(for: wait)
                wake.yield()
            }
            _ = await iterator.next()
            timer.cancel()
        }
    }
}
