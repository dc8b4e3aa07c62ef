import PurserAPI
import PurserKit
import PurserRPC

/// Runs settlement on a schedule (`PURSER_SETTLEMENT_INTERVAL`) for periods of
/// one cadence (`PURSER_SETTLEMENT_PERIOD`).
///
/// Each tick first drains the capture feed (so a period is closed with
/// everything the Wallet committed in it), then closes every period that
/// ended at least `closeDelay` ago since the last closed one (catching up
/// after downtime, at most `maximumCatchUpPeriods` per tick), then runs the
/// current period, whose batches stay open and collect late entries of
/// closed periods as adjustments. The delay lets entries committed just
/// before a period's end reach the feed first (the Wallet's feed holds an
/// entry back while older transactions are still running). Failures are
/// logged and retried at the next tick.
package struct SettlementScheduler: Service {
    package static let maximumCatchUpPeriods = 400

    package let store: SettlementStore
    package let consumer: CaptureFeedConsumer?
    package let cadence: Cadence
    package let interval: Duration
    package let closeDelay: Duration
    let clock: SettlementClock
    let logger: Logger

    /// A scheduler settling `cadence` periods every `interval`, draining `consumer` first when given.
    package init(
        store: SettlementStore, consumer: CaptureFeedConsumer?, cadence: Cadence, interval: Duration,
        closeDelay: Duration = .zero, clock: SettlementClock = .system, logger: Logger
    ) {
        self.closeDelay = closeDelay
        self.store = store
        self.consumer = consumer
        self.cadence = cadence
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// One scheduled pass; returns the runs it made, oldest period first.
    @discardableResult
    package func tick() async throws -> [RunSettlementResponse] {
        if let consumer {
            do {
                try await consumer.catchUp()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("capture feed not drained before settlement", ["error": "\(error)"])
            }
        }
        let now = clock.nowUs()
        let closingAt = now - closeDelay.microseconds
        let current = cadence.period(containing: closingAt)
        let previousStart = cadence.period(containing: current.startUs - 1).startUs
        var period = cadence.period(containing: try await store.latestClosedPeriodEnd() ?? previousStart)
        var runs: [RunSettlementResponse] = []
        var steps = 0
        while period.end <= current.start, steps < Self.maximumCatchUpPeriods {
            try Task.checkCancellation()
            if let run = try await runLogged(period, now: now, closingAt: closingAt) { runs.append(run) }
            period = cadence.next(after: period)
            steps += 1
        }
        if let run = try await runLogged(current, now: now, closingAt: closingAt) { runs.append(run) }
        return runs
    }

    private func runLogged(_ period: SettlementPeriod, now: Int64, closingAt: Int64) async throws -> RunSettlementResponse? {
        do {
            let run = try await store.run(period, nowUs: now, closingAtUs: closingAt)
            if run.changed {
                logger.info("settlement run", [
                    "period": period.description, "closed": "\(run.closed)", "entries": "\(run.entriesSettled)",
                    "adjustments": "\(run.adjustmentsSettled)", "batches": "\(run.batches.count)",
                ])
            }
            if !run.outOfRangeBatchIDs.isEmpty {
                logger.warning("settled batches whose totals do not fit in 64 bits (answered total_out_of_range)", [
                    "period": period.description, "batches": run.outOfRangeBatchIDs.joined(separator: ","),
                ])
            }
            return run
        } catch let error as RPCError where error.reason == "period_overlaps" {
            logger.warning("scheduled period skipped", ["period": period.description, "error": error.description])
            return nil
        }
    }

    package func run() async throws {
        while !Task.isCancelled {
            do {
                try await tick()
            } catch is CancellationError {
                return
            } catch {
                logger.error("scheduled settlement failed; retrying next interval", ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
