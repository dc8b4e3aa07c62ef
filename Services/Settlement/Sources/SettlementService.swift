import PurserAPI
import PurserAuth
import PurserKit
import PurserRPC
import PurserService

/// The Settlement service (`purser.settlement.v1.Settlement`): stores the
/// Wallet's captures and refunds, settles them into batches per provider ×
/// tenant × currency and period, and serves statements, payouts, exports,
/// payment marking and reconciliation.
///
/// Every handler is registered with the principal kinds that may call it, so
/// a caller of another kind is refused (PERMISSION_DENIED) before the request
/// is read; inside, another tenant's or provider's data answers NOT_FOUND.
package final class SettlementService: Sendable {
    package let store: SettlementStore
    package let consumer: CaptureFeedConsumer
    package let scheduler: SettlementScheduler
    package let ledger: any LedgerTotalsSource
    let clock: SettlementClock
    let logger: Logger

    /// Builds the service on `host`'s pool, reading captures from `feed` and
    /// the ledger's totals for `Reconcile` from `ledger`. With `background`,
    /// the feed consumer and the scheduler run with the host.
    package init(
        host: ServiceHost, settings: SettlementSettings, feed: any CaptureFeedSource,
        ledger: any LedgerTotalsSource, clock: SettlementClock = .system, background: Bool = true
    ) {
        self.store = SettlementStore(pool: host.pool)
        self.clock = clock
        self.logger = host.logger
        self.ledger = ledger
        self.consumer = CaptureFeedConsumer(
            pool: host.pool, source: feed, pageSize: settings.feedPageSize, pollInterval: settings.feedPollInterval,
            maximumBackoff: settings.feedMaximumBackoff, clock: clock, logger: host.logger.with(["component": "capture-feed"]))
        self.scheduler = SettlementScheduler(
            store: store, consumer: consumer, cadence: settings.cadence, interval: settings.interval,
            closeDelay: settings.closeDelay, clock: clock,
            logger: host.logger.with(["component": "scheduler"]))
        consumer.register(in: host.metrics)
        if background {
            host.addBackground("capture-feed", consumer)
            host.addBackground("scheduler", scheduler)
            if let identity = host.identity {
                host.addBackground(
                    "event-relay",
                    EventRelay(pool: host.pool, schema: "settlement", identity: identity,
                               logger: host.logger.with(["component": "event-relay"])))
            }
        }
        register(on: host)
    }

    private func register(on host: ServiceHost) {
        let readers: Set<Principal.Kind> = [.operator, .tenantAdmin, .tenantFinance, .provider]
        host.handle(SettlementMethods.runSettlement, allowing: [.operator]) { [self] request, _, _ in
            try await runSettlement(request)
        }
        host.handle(SettlementMethods.listBatches, allowing: readers) { [self] request, principal, _ in
            try await listBatches(request, principal: principal)
        }
        host.handle(SettlementMethods.getBatch, allowing: readers) { [self] request, principal, _ in
            try await getBatch(request, principal: principal)
        }
        host.handle(SettlementMethods.getTenantStatement, allowing: [.operator, .tenantAdmin, .tenantFinance]) {
            [self] request, principal, _ in
            try await tenantStatement(tenantID: request.tenantID, period: request.period, principal: principal)
        }
        host.handle(SettlementMethods.getProviderPayout, allowing: [.operator, .provider]) { [self] request, principal, _ in
            try await providerPayout(providerID: request.providerID, period: request.period, principal: principal)
        }
        host.handle(SettlementMethods.exportReport, allowing: readers) { [self] request, principal, _ in
            try await exportReport(request, principal: principal)
        }
        host.handle(SettlementMethods.markBatchPaid, allowing: [.operator]) { [self] request, _, _ in
            try await markBatchPaid(request)
        }
        host.handle(SettlementMethods.reconcile, allowing: [.operator]) { [self] request, _, _ in
            try await reconcile(request)
        }
        host.handle(SettlementMethods.listTenantBatches, allowing: [.operator, .tenantAdmin, .tenantFinance]) {
            [self] request, principal, _ in
            try await listTenantBatches(request, principal: principal)
        }
        host.handle(SettlementMethods.getTenantBatch, allowing: [.operator, .tenantAdmin, .tenantFinance]) {
            [self] request, principal, _ in
            try await getTenantBatch(request, principal: principal)
        }
        host.handle(SettlementMethods.markTenantBatchPaid, allowing: [.operator]) { [self] request, _, _ in
            try await markTenantBatchPaid(request)
        }
    }
}
