import PurserAPI
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

/// Delivers `AgentRevocationNotice`s from `identity.revocation_outbox` to
/// every subscriber over mutual TLS (Identity's own client certificate),
/// retrying with backoff until each acknowledges (answers OK).
///
/// Rows are claimed for one lease (by bumping `next_attempt_at`) in a short
/// transaction with `FOR UPDATE SKIP LOCKED`, so several Identity replicas
/// never send the same row at once and no database connection is held during
/// a call. A notice may still arrive twice (a lost acknowledgement), so
/// subscribers treat repeats as no-ops.
package final class RevocationDispatcher: Service {
    /// What one delivery round achieved for one agent.
    package struct Delivery: Sendable, Equatable {
        package var acknowledged: [String]
        package var pending: [String]
    }

    private struct Target: Sendable {
        let subscriber: RevocationSubscriber
        let client: RPCClient
    }

    private struct Due: Sendable {
        let tenantID: String
        let agentID: String
        let subscriber: String
        let reason: String
        let revokedAtUs: Int64
        let attempts: Int
        /// Where the agent's unspent balance goes ("" for the treasury).
        let returnTo: String
    }

    private let pool: PostgresPool
    private let targets: [String: Target]
    private let schedule: RetrySchedule
    private let interval: Duration
    private let attemptTimeout: Duration
    private let logger: Logger
    /// Names of the configured subscribers as a SQL list (they are validated handles).
    private let subscriberList: String

    /// One client per subscriber (with `clientTLS`, Identity's own certificate; the
    /// subscriber's certificate must name it: CN = `subscriber.name`); retries follow
    /// `schedule`, the loop wakes every `interval`, each attempt is bounded by `attemptTimeout`.
    package init(
        pool: PostgresPool, subscribers: [RevocationSubscriber], clientTLS: TLSConfiguration, schedule: RetrySchedule,
        interval: Duration, attemptTimeout: Duration, logger: Logger
    ) throws(RPCError) {
        self.pool = pool
        var targets: [String: Target] = [:]
        for subscriber in subscribers {
            let client = try RPCClient(
                configuration: ClientConfiguration(
                    host: subscriber.endpoint.host, port: subscriber.endpoint.port, serverName: subscriber.endpoint.host,
                    expectedPeer: subscriber.name, tls: clientTLS),
                logger: logger.with(["subscriber": subscriber.name]))
            targets[subscriber.name] = Target(subscriber: subscriber, client: client)
        }
        self.targets = targets
        self.schedule = schedule
        self.interval = interval
        self.attemptTimeout = attemptTimeout
        self.logger = logger
        self.subscriberList = subscribers.map { "'\($0.name)'" }.joined(separator: ",")
    }

    /// Attempts once, now and concurrently, every undelivered notice of one
    /// agent, records the outcomes, and says who has acknowledged so far.
    package func deliverNow(tenantID: String, agentID: String) async throws -> Delivery {
        let rows = try await pool.withConnection { connection -> [(due: Due, delivered: Bool)] in
            let rows = try connection.query(
                """
                SELECT subscriber, reason, identity.to_us(revoked_at), attempts, delivered_at IS NOT NULL,
                       coalesce(return_to::text, '')
                  FROM identity.revocation_outbox WHERE tenant_id = $1 AND agent_id = $2 ORDER BY subscriber
                """, [tenantID, agentID])
            return try rows.map { row in
                (Due(tenantID: tenantID, agentID: agentID, subscriber: try row.decode(String.self, at: 0),
                     reason: try row.decode(String.self, at: 1), revokedAtUs: try row.decode(Int64.self, at: 2),
                     attempts: try row.decode(Int.self, at: 3), returnTo: try row.decode(String.self, at: 5)),
                 try row.decode(Bool.self, at: 4))
            }
        }
        var delivery = Delivery(acknowledged: rows.filter(\.delivered).map(\.due.subscriber), pending: [])
        let outcomes = await attemptAll(rows.filter { !$0.delivered }.map(\.due))
        for (due, acknowledged) in outcomes {
            if acknowledged { delivery.acknowledged.append(due.subscriber) } else { delivery.pending.append(due.subscriber) }
        }
        delivery.acknowledged.sort()
        delivery.pending.sort()
        return delivery
    }

    /// Claims due rows (up to `limit`), attempts them, and returns how many were acknowledged.
    @discardableResult
    package func dispatchDue(limit: Int = 100) async throws -> Int {
        guard !targets.isEmpty else { return 0 }
        let lease = (attemptTimeout * 2 + .seconds(1)).microseconds
        let list = subscriberList
        let due = try await pool.withTransaction { connection -> [Due] in
            let rows = try connection.query(
                """
                WITH due AS (
                    SELECT tenant_id, agent_id, subscriber FROM identity.revocation_outbox
                     WHERE delivered_at IS NULL AND next_attempt_at <= now() AND subscriber IN (\(list))
                     ORDER BY next_attempt_at LIMIT $1
                     FOR UPDATE SKIP LOCKED)
                UPDATE identity.revocation_outbox o SET next_attempt_at = now() + $2 * interval '1 microsecond'
                  FROM due
                 WHERE o.tenant_id = due.tenant_id AND o.agent_id = due.agent_id AND o.subscriber = due.subscriber
                RETURNING o.tenant_id::text, o.agent_id::text, o.subscriber, o.reason, identity.to_us(o.revoked_at), o.attempts,
                          coalesce(o.return_to::text, '')
                """, [limit, lease])
            return try rows.map { row in
                Due(tenantID: try row.decode(String.self, at: 0), agentID: try row.decode(String.self, at: 1),
                    subscriber: try row.decode(String.self, at: 2), reason: try row.decode(String.self, at: 3),
                    revokedAtUs: try row.decode(Int64.self, at: 4), attempts: try row.decode(Int.self, at: 5),
                    returnTo: try row.decode(String.self, at: 6))
            }
        }
        return await attemptAll(due).filter(\.acknowledged).count
    }

    /// Dispatches due notices every `interval` until cancelled.
    package func run() async throws {
        var failing = false
        while !Task.isCancelled {
            do {
                try await dispatchDue()
                failing = false
            } catch {
                if Task.isCancelled { return }
                if !failing { logger.warning("revocation outbox unreadable; retrying", ["error": "\(error)"]) }
                failing = true
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// Sends each notice once, concurrently, and records every outcome.
    private func attemptAll(_ due: [Due]) async -> [(due: Due, acknowledged: Bool)] {
        await withTaskGroup(of: (Due, Bool).self) { group in
            for item in due {
                group.addTask { [self] in (item, await attempt(item)) }
            }
            var outcomes: [(due: Due, acknowledged: Bool)] = []
            for await (item, acknowledged) in group { outcomes.append((item, acknowledged)) }
            return outcomes
        }
    }

    private func attempt(_ due: Due) async -> Bool {
        guard let target = targets[due.subscriber] else { return false }
        var notice = AgentRevocationNotice(
            tenantID: due.tenantID, agentID: due.agentID, reason: due.reason, revokedAtUs: due.revokedAtUs)
        notice.returnToAgentID = due.returnTo
        let failure: String?
        do {
            _ = try await target.client.call(
                target.subscriber.method, notice.serializedBytes(),
                metadata: ["idempotency-key": "agent-revocation-\(due.agentID)"], timeout: attemptTimeout)
            failure = nil
        } catch {
            failure = "\(error)"
        }
        let attempts = due.attempts + 1
        let delay = schedule.delay(afterAttempt: attempts, jitter: Double.random(in: 0...1)).microseconds
        do {
            try await pool.withConnection { connection in
                if let failure {
                    _ = try connection.query(
                        """
                        UPDATE identity.revocation_outbox
                           SET attempts = $4, next_attempt_at = now() + $5 * interval '1 microsecond', last_error = $6
                         WHERE tenant_id = $1 AND agent_id = $2 AND subscriber = $3 AND delivered_at IS NULL
                        """, [due.tenantID, due.agentID, due.subscriber, attempts, delay, String(failure.prefix(500))])
                } else {
                    _ = try connection.query(
                        """
                        UPDATE identity.revocation_outbox SET attempts = $4, delivered_at = now(), last_error = ''
                         WHERE tenant_id = $1 AND agent_id = $2 AND subscriber = $3 AND delivered_at IS NULL
                        """, [due.tenantID, due.agentID, due.subscriber, attempts])
                }
            }
        } catch {
            logger.warning("revocation outcome not recorded", ["agent_id": due.agentID, "error": "\(error)"])
        }
        if let failure {
            logger.warning("revocation notice not acknowledged", [
                "subscriber": due.subscriber, "agent_id": due.agentID, "attempts": "\(attempts)", "error": failure,
            ])
            return false
        }
        logger.info("revocation notice acknowledged", ["subscriber": due.subscriber, "agent_id": due.agentID])
        return true
    }
}
