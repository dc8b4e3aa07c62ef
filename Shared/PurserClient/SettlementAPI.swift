import PurserAPI

/// Typed calls to `purser.settlement.v1.Settlement`: settlement runs (idempotent
/// per period), batches, statements, payouts, exports and reconciliation.
public struct SettlementAPI: Sendable {
    public let channel: ServiceChannel

    /// Calls Settlement over `channel`.
    public init(channel: ServiceChannel) { self.channel = channel }

    /// Settles a period; running a closed period again changes nothing.
    public func run(period: Period) async throws(PurserClientError) -> RunSettlementResponse {
        try await channel.call(SettlementMethods.runSettlement, RunSettlementRequest(period: period))
    }

    /// Batches, newest period first, without lines.
    public func batches(_ request: ListBatchesRequest) async throws(PurserClientError) -> ListBatchesResponse {
        try await channel.call(SettlementMethods.listBatches, request)
    }

    /// One batch with its lines.
    public func batch(id: String) async throws(PurserClientError) -> Batch {
        try await channel.call(SettlementMethods.getBatch, GetBatchRequest(batchID: id))
    }

    /// What a tenant spent in a period, per agent, provider, category and day.
    public func statement(tenantID: String, period: Period) async throws(PurserClientError) -> TenantStatement {
        try await channel.call(SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: tenantID, period: period))
    }

    /// What is payable to a provider for batches inside the period.
    public func payout(providerID: String, period: Period) async throws(PurserClientError) -> ProviderPayout {
        try await channel.call(SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: providerID, period: period))
    }

    /// A statement or payout as a CSV or JSON file.
    public func export(_ request: ExportReportRequest) async throws(PurserClientError) -> ExportReportResponse {
        try await channel.call(SettlementMethods.exportReport, request)
    }

    /// Records that a closed batch was paid; repeating with the same reference is a no-op.
    public func markPaid(batchID: String, externalReference: String) async throws(PurserClientError) -> Batch {
        try await channel.call(SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batchID, externalReference: externalReference))
    }

    /// Tenant batches (payments between two tenants' agents, netted), newest period first.
    public func tenantBatches(_ request: ListTenantBatchesRequest) async throws(PurserClientError) -> ListTenantBatchesResponse {
        try await channel.call(SettlementMethods.listTenantBatches, request)
    }

    /// One tenant batch.
    public func tenantBatch(id: String) async throws(PurserClientError) -> TenantBatch {
        try await channel.call(SettlementMethods.getTenantBatch, GetTenantBatchRequest(batchID: id))
    }

    /// Records that the debtor of a closed tenant batch paid; repeating with the same reference is a no-op.
    public func markTenantBatchPaid(batchID: String, externalReference: String) async throws(PurserClientError) -> TenantBatch {
        try await channel.call(
            SettlementMethods.markTenantBatchPaid, MarkTenantBatchPaidRequest(batchID: batchID, externalReference: externalReference))
    }

    /// Proves the period's settlement totals equal the ledger's; `balanced` when they do.
    public func reconcile(period: Period) async throws(PurserClientError) -> ReconcileResponse {
        try await channel.call(SettlementMethods.reconcile, ReconcileRequest(period: period))
    }
}

extension PurserClient {
    /// The Settlement service.
    public func settlement() throws(PurserClientError) -> SettlementAPI { SettlementAPI(channel: try channel(.settlement)) }
}
