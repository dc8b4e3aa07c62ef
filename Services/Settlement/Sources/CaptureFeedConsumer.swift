import PurserKit
import PurserMetrics
import PurserPostgres
import Synchronization

/// Copies the Wallet's capture feed and transfer feed into the `settlement` schema.
///
/// Guarantees: every capture and refund, and every payment across tenants, is
/// stored exactly once (keyed by the Wallet's entry id); each feed's cursor is advanced in the same transaction as the
/// entries of its page, so a crash or restart at any point re-reads at most
/// the page that was in flight and loses nothing; several consumers (replicas)
/// may run at once — a page stored by another is detected and re-read.
/// `run()` polls every `pollInterval`, drains the backlog page after page
/// after downtime, and backs off exponentially (up to `maximumBackoff`) while
/// the feed or the database fails.
package final class CaptureFeedConsumer: Service {
    package let source: any CaptureFeedSource
    package let pageSize: Int
    package let pollInterval: Duration
    package let maximumBackoff: Duration
    let store: FeedStore
    let clock: SettlementClock
    let logger: Logger
    private let failures = Atomic<Int>(0)
    /// When `catchUp()` last reached the end of the feed (Unix µs by `clock`; 0: never).
    private let caughtUpAtUs = Atomic<Int64>(0)
    /// The newest `occurredAtUs` of the entries read from the feed (0: none yet).
    private let newestEntryAtUs = Atomic<Int64>(0)
    /// Entries stored by this process.
    private let storedEntries = Atomic<Int>(0)

    /// Rounds of `run()` that failed since the last one that succeeded (0 while
    /// the feed is read): what an operator or a test watches during an outage.
    package var consecutiveFailures: Int { failures.load(ordering: .acquiring) }

    /// A consumer storing `source`'s entries in `pool`'s `settlement` schema, `pageSize` per call.
    package init(
        pool: PostgresPool, source: any CaptureFeedSource, pageSize: Int = 500, pollInterval: Duration = .seconds(5),
        maximumBackoff: Duration = .seconds(60), clock: SettlementClock = .system, logger: Logger
    ) {
        self.store = FeedStore(pool: pool)
        self.source = source
        self.pageSize = max(1, pageSize)
        self.pollInterval = pollInterval
        self.maximumBackoff = maximumBackoff
        self.clock = clock
        self.logger = logger
    }

    /// Reads and stores one page after the stored cursor. Returns the number
    /// of new entries stored and whether the feed may hold more: the feed may
    /// answer fewer entries than asked for while more follow, so only a page
    /// that leaves the cursor where it was means the feed is drained.
    /// Each step reads one page of each of the two feeds (captures and
    /// refunds, then payments across tenants); `stored` counts both and `more`
    /// is true while either may hold more.
    package func step() async throws -> (stored: Int, more: Bool) {
        let cursor = try await store.cursor()
        let page = try await source.page(after: cursor, limit: pageSize)
        var stored = 0, more = true
        if let entries = try await store.store(page, readAfter: cursor, nowUs: clock.nowUs()) {
            stored = entries
            more = page.nextCursor != cursor
            if let newest = page.entries.map(\.occurredAtUs).max() {
                newestEntryAtUs.max(newest, ordering: .relaxed)
            }
        }
        let transferCursor = try await store.transferCursor()
        let transfers = try await source.transfers(after: transferCursor, limit: pageSize)
        if let storedTransfers = try await store.storeTransfers(transfers, readAfter: transferCursor, nowUs: clock.nowUs()) {
            stored += storedTransfers
            more = more || transfers.nextCursor != transferCursor
        } else {
            more = true
        }
        storedEntries.add(stored, ordering: .relaxed)
        return (stored, more)
    }

    /// Stores pages until the feed has nothing more; returns the number of new entries.
    @discardableResult
    package func catchUp() async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let (stored, more) = try await step()
            total += stored
            if !more {
                caughtUpAtUs.store(clock.nowUs(), ordering: .relaxed)
                return total
            }
        }
    }

    package func run() async throws {
        var failures = 0
        defer { self.failures.store(0, ordering: .releasing) }
        while !Task.isCancelled {
            let pause: Duration
            do {
                let stored = try await catchUp()
                if stored > 0 { logger.debug("capture feed stored", ["entries": String(stored)]) }
                if failures > 0 { logger.notice("capture feed reachable again") }
                failures = 0
                self.failures.store(0, ordering: .releasing)
                pause = pollInterval
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                self.failures.store(failures, ordering: .releasing)
                if failures == 1 { logger.warning("capture feed failed; backing off", ["error": "\(error)"]) }
                pause = Self.backoff(after: failures, base: pollInterval, maximum: maximumBackoff)
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                return
            }
        }
    }

    /// Registers the feed's series in `registry`. The consumer cannot see the
    /// Wallet's newest entry without reading the feed to its end, so its lag
    /// is measured as the time since it last did (`purser_settlement_feed_lag_seconds`:
    /// up to the poll interval while healthy, growing while the Wallet or the
    /// database fails or a backlog is drained), beside the newest entry read
    /// and the entries stored.
    package func register(in registry: MetricsRegistry) {
        let clock = self.clock
        registry.collect(
            "purser_settlement_feed_lag_seconds",
            help: "Seconds since the capture feed consumer last read the Wallet's feed to its end (-1 before it first has).",
            kind: .gauge
        ) { [self] in
            let caughtUp = caughtUpAtUs.load(ordering: .relaxed)
            return [MetricSample([], caughtUp == 0 ? -1 : Double(max(0, clock.nowUs() - caughtUp)) / 1_000_000)]
        }
        registry.collect(
            "purser_settlement_feed_newest_entry_timestamp_seconds",
            help: "When the Wallet committed the newest capture or refund read from its feed (Unix seconds; 0 before any).",
            kind: .gauge
        ) { [self] in
            [MetricSample([], Double(newestEntryAtUs.load(ordering: .relaxed)) / 1_000_000)]
        }
        registry.collect(
            "purser_settlement_feed_entries_stored_total", help: "Captures, refunds and transfers across tenants this process stored from the Wallet's feeds.",
            kind: .counter
        ) { [self] in
            [MetricSample([], Double(storedEntries.load(ordering: .relaxed)))]
        }
        registry.collect(
            "purser_settlement_feed_consecutive_failures", help: "Rounds of reading the feed that failed since the last that succeeded.",
            kind: .gauge
        ) { [self] in
            [MetricSample([], Double(consecutiveFailures))]
        }
    }

    /// `base · 2^(failures-1)`, capped at `maximum`, with up to 25% jitter off.
    static func backoff(after failures: Int, base: Duration, maximum: Duration) -> Duration {
        let exponent = min(max(failures - 1, 0), 16)
        let raw = base * (1 << exponent)
        let capped = min(raw, maximum)
        return capped * Double.random(in: 0.75...1.0)
    }
}
