import PurserRPC

/// The methods of `purser.settlement.v1.Settlement`, typed by request and response.
public enum SettlementMethods {
    static let prefix = "purser.settlement.v1.Settlement/"

    public static let runSettlement = MethodDescriptor<RunSettlementRequest, RunSettlementResponse>(prefix + "RunSettlement", idempotent: true)
    public static let listBatches = MethodDescriptor<ListBatchesRequest, ListBatchesResponse>(prefix + "ListBatches", idempotent: true)
    public static let getBatch = MethodDescriptor<GetBatchRequest, Batch>(prefix + "GetBatch", idempotent: true)
    public static let getTenantStatement = MethodDescriptor<GetTenantStatementRequest, TenantStatement>(prefix + "GetTenantStatement", idempotent: true)
    public static let getProviderPayout = MethodDescriptor<GetProviderPayoutRequest, ProviderPayout>(prefix + "GetProviderPayout", idempotent: true)
    public static let exportReport = MethodDescriptor<ExportReportRequest, ExportReportResponse>(prefix + "ExportReport", idempotent: true)
    public static let markBatchPaid = MethodDescriptor<MarkBatchPaidRequest, Batch>(prefix + "MarkBatchPaid", idempotent: true)
    public static let reconcile = MethodDescriptor<ReconcileRequest, ReconcileResponse>(prefix + "Reconcile", idempotent: true)

    /// The full name of every method, in the order of the proto file.
    public static let allNames: [String] = [
        runSettlement.fullName, listBatches.fullName, getBatch.fullName, getTenantStatement.fullName,
        getProviderPayout.fullName, exportReport.fullName, markBatchPaid.fullName, reconcile.fullName,
    ]
}
