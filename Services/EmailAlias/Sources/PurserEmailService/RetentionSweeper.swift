import Foundation
import PurserKit

/// Deletes messages older than the retention period, every `interval`, in
/// batches (so no single statement holds many locks). Failures are logged
/// once per outage and retried at the next tick. Runs until cancelled.
package struct RetentionSweeper: Service {
    package let store: MessageStore
    package let retention: Duration
    package let interval: Duration
    package let logger: Logger
    /// Messages deleted per statement.
    package let batchSize: Int

    /// A sweeper deleting messages older than `retention` every `interval`.
    package init(store: MessageStore, retention: Duration, interval: Duration, logger: Logger, batchSize: Int = 1000) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
        self.batchSize = batchSize
    }

    /// Deletes every message received more than `retention` before `now`; returns how many.
    @discardableResult
    package func sweep(now: Date = Date()) async throws -> Int {
        let retentionUs = retention.microseconds
        let cutoff = Int64(now.timeIntervalSince1970 * 1_000_000) - retentionUs
        var total = 0
        while true {
            let deleted = try await store.deleteOlder(thanUs: cutoff, limit: batchSize)
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    /// Sweeps now and then every `interval` until cancelled.
    package func run() async throws {
        var failing = false
        while !Task.isCancelled {
            do {
                let deleted = try await sweep()
                if deleted > 0 { logger.info("expired messages deleted", ["count": "\(deleted)"]) }
                failing = false
            } catch {
                if !failing { logger.warning("retention sweep failed; retrying", ["error": "\(error)"]) }
                failing = true
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
