import Foundation
import PurserKit

/// One pool slot: a dedicated OS thread that owns at most one connection and
/// runs queued jobs on it, one at a time. Every blocking libpq call of the pool
/// happens on such a thread.
///
/// Its reconnect backoff lives in the pool's `ReconnectSchedule`, shared with
/// the other workers, so a connect by any of them clears it.
///
/// `@unchecked Sendable`: `connection` is touched only by the worker's own
/// thread (inside `runLoop` and the jobs it runs); the other stored properties
/// are immutable or themselves Sendable.
final class ConnectionWorker: @unchecked Sendable {
    let id: Int
    let configuration: PostgresConfiguration
    let metrics: PostgresPoolMetrics
    let logger: Logger
    let schedule: ReconnectSchedule
    private var connection: PostgresConnection?

    init(id: Int, configuration: PostgresConfiguration, metrics: PostgresPoolMetrics, schedule: ReconnectSchedule, logger: Logger) {
        self.id = id
        self.configuration = configuration
        self.metrics = metrics
        self.schedule = schedule
        self.logger = logger
    }

    /// Runs jobs until the queue closes, then closes the connection.
    func runLoop(queue: JobQueue) {
        while let job = queue.next() {
            guard job.claim() else { continue }
            metrics.waitTime.observe(ContinuousClock.now - job.enqueued)
            metrics.busyWorkers.add(1, ordering: .relaxed)
            job.work(self)
            metrics.busyWorkers.subtract(1, ordering: .relaxed)
            afterJob()
        }
        connection = nil
    }

    /// Consecutive failed connection attempts after which the server is taken
    /// to be down: jobs stop waiting out the backoff and fail at once.
    static let attemptsBeforeFailingFast = 3

    /// A live connection, opening one if needed. An idle connection the server
    /// has closed is noticed here and replaced before any statement is sent on
    /// it. Throws `.unavailable` when the server cannot be reached. After one or
    /// two failed attempts (a blip) the short backoff is waited out; after
    /// `attemptsBeforeFailingFast` this throws at once, without trying, until
    /// the backoff has passed, so while the server is down every job fails fast
    /// (its retries too) instead of holding this thread, and the jobs queued
    /// behind it, past their callers' deadlines. A connect by any worker of the
    /// pool clears this worker's backoff too (and ends a sleep through it).
    func liveConnection() throws(PostgresError) -> PostgresConnection {
        if let connection, connection.isUsableWhenIdle() { return connection }
        if connection != nil {
            connection = nil
            metrics.connectionsLost.add(1, ordering: .relaxed)
            logger.warning("postgres connection lost", ["worker": String(id)])
        }
        if case .failFast(let wait) = schedule.turn(worker: id, failFastAfter: Self.attemptsBeforeFailingFast) {
            throw PostgresError(.unavailable, "PostgreSQL could not be reached; the next connection attempt is in \(wait)")
        }
        do {
            let opened = try PostgresConnection.connect(configuration)
            metrics.connectionsOpened.add(1, ordering: .relaxed)
            schedule.connected()
            connection = opened
            return opened
        } catch {
            metrics.connectFailures.add(1, ordering: .relaxed)
            schedule.failed(worker: id)
            logger.warning("postgres connect failed", ["worker": String(id), "error": error.message])
            throw error
        }
    }

    /// Leaves the slot clean for the next job: drops a dead connection and rolls
    /// back a transaction a job left open.
    func afterJob() {
        guard let connection else { return }
        if !connection.isAlive {
            self.connection = nil
            metrics.connectionsLost.add(1, ordering: .relaxed)
            return
        }
        if connection.isInTransaction {
            do {
                try connection.executeScript("ROLLBACK")
            } catch {
                self.connection = nil
            }
        }
    }
}
