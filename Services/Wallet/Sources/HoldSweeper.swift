import PurserKit

/// Releases expired holds and purges idempotency records past their
/// retention and the records of payment tokens expired five minutes ago
/// (beyond every verifier's leeway), every `interval`, until cancelled. Every replica runs one: the
/// ledger's sweep skips rows another sweeper holds, so they share the work.
package struct HoldSweeper: Service {
    /// The ledger swept.
    package let ledger: Ledger
    /// Pause between sweeps.
    package let interval: Duration
    /// Age after which idempotency records are purged.
    package let retention: Duration
    /// Where failed sweeps are reported.
    package let logger: Logger
    /// Most holds released (or records purged) per statement.
    package let batch: Int

    /// Sweeps `ledger` every `interval`, keeping idempotency records for `retention`.
    package init(ledger: Ledger, interval: Duration, retention: Duration, logger: Logger, batch: Int = 500) {
        self.ledger = ledger
        self.interval = interval
        self.retention = retention
        self.logger = logger
        self.batch = batch
    }

    /// Releases every hold expired by now and purges old idempotency records;
    /// returns the number of holds released.
    package func sweepOnce() async throws -> Int {
        var released = 0
        while true {
            let count = try await ledger.sweepExpiredHolds(limit: batch)
            released += count
            if count < batch { break }
        }
        while try await ledger.purgeIdempotencyRecords(olderThanMicros: retention.microseconds, limit: batch) == batch {}
        // A payment token is refused by every verifier once expired (plus leeway): its record can go.
        while try await ledger.purgePaymentTokens(graceMicros: 300 * 1_000_000, limit: batch) == batch {}
        return released
    }

    /// Sweeps until cancelled; a failed sweep is logged and tried again next interval.
    package func run() async throws {
        while !Task.isCancelled {
            do {
                let released = try await sweepOnce()
                if released > 0 { logger.debug("expired holds released", ["count": String(released)]) }
            } catch {
                logger.warning("sweep failed", ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
