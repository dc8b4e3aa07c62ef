import PurserAPI
import PurserAuth
import PurserRPC

extension SettlementService {
    /// `GetTenantStatement`: the operator, or the tenant's own admin and
    /// finance principals (another tenant answers NOT_FOUND).
    func tenantStatement(tenantID: String, period: Period, principal: Principal) async throws -> TenantStatement {
        guard !tenantID.isEmpty else { throw RPCError.invalidArgument("tenant_id is required") }
        try principal.requireTenant(tenantID)
        return try await store.statement(tenantID: tenantID, period: try SettlementPeriod(period))
    }

    /// `GetProviderPayout`: the operator, or the provider itself (another
    /// provider answers NOT_FOUND).
    func providerPayout(providerID: String, period: Period, principal: Principal) async throws -> ProviderPayout {
        guard !providerID.isEmpty else { throw RPCError.invalidArgument("provider_id is required") }
        try principal.requireProvider(providerID)
        return try await store.payout(providerID: providerID, period: try SettlementPeriod(period))
    }

    /// `ExportReport`: a statement or a tenant's tenant batches (as
    /// `GetTenantStatement` allows) or a payout (as `GetProviderPayout` allows)
    /// rendered as CSV or JSON.
    func exportReport(_ request: ExportReportRequest, principal: Principal) async throws -> ExportReportResponse {
        guard request.format == .csv || request.format == .json else {
            throw RPCError.invalidArgument("format must be REPORT_FORMAT_CSV or REPORT_FORMAT_JSON")
        }
        let period = try SettlementPeriod(request.period)
        let csv = request.format == .csv
        let suffix = "\(period.start.isoDate)-\(period.end.isoDate).\(csv ? "csv" : "json")"
        let contentType = csv ? "text/csv; charset=utf-8" : "application/json"
        switch request.kind {
        case .statement:
            try principal.require(.operator, .tenantAdmin, .tenantFinance)
            let statement = try await tenantStatement(tenantID: request.tenantID, period: request.period, principal: principal)
            let content = csv ? ReportCSV.statement(statement) : try ReportJSON.statement(statement)
            return ExportReportResponse(content: content, contentType: contentType, fileName: "statement-\(Self.fileNamePart(request.tenantID))-\(suffix)")
        case .payout:
            try principal.require(.operator, .provider)
            let payout = try await providerPayout(providerID: request.providerID, period: request.period, principal: principal)
            let content = csv ? ReportCSV.payout(payout) : try ReportJSON.payout(payout)
            return ExportReportResponse(content: content, contentType: contentType, fileName: "payout-\(Self.fileNamePart(request.providerID))-\(suffix)")
        case .tenantBatches:
            try principal.require(.operator, .tenantAdmin, .tenantFinance)
            guard !request.tenantID.isEmpty else { throw RPCError.invalidArgument("tenant_id is required") }
            try principal.requireTenant(request.tenantID)
            let batches = try await store.tenantBatches(of: request.tenantID, inside: period)
            let content = csv
                ? ReportCSV.tenantBatches(batches, of: request.tenantID)
                : try ReportJSON.tenantBatches(batches, of: request.tenantID, period: period.wire)
            return ExportReportResponse(
                content: content, contentType: contentType, fileName: "tenant-batches-\(Self.fileNamePart(request.tenantID))-\(suffix)")
        default:
            throw RPCError.invalidArgument("kind must be REPORT_KIND_STATEMENT, REPORT_KIND_PAYOUT or REPORT_KIND_TENANT_BATCHES")
        }
    }

    /// `Reconcile` (operator): drains the capture feed (so consumer lag is not
    /// reported as a difference), then compares the ledger's totals for the
    /// period with Settlement's recorded entries, batches and unbatched entries,
    /// and the ledger's payments across tenants with the recorded transfers
    /// and tenant batches the same way.
    /// Meant for periods that have ended: entries committed while it runs may
    /// show on one side only. A tenant × provider × currency whose totals do
    /// not fit in 64 bits on either side is reported as a `total_out_of_range`
    /// discrepancy; every other one is still compared.
    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResponse {
        let period = try SettlementPeriod(request.period)
        try await consumer.catchUp()
        let ledgerTotals: LedgerPeriodTotals
        do {
            ledgerTotals = try await ledger.ledgerTotals(for: period)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RPCError.ledgerUnavailable("the ledger totals could not be read: \(error)", cause: error)
        }
        var reconciliation = try await store.reconciliation(for: period)
        for total in ledgerTotals.lines {
            if let net = total.netMicros, let sum = CheckedMicros.sum(reconciliation.ledger[total.key] ?? 0, net) {
                reconciliation.ledger[total.key] = sum
            } else {
                reconciliation.outOfRange.insert(total.key)
            }
        }
        reconciliation.addLedgerTransfers(ledgerTotals.transfers)
        let response = reconciliation.response(period: period.wire, ledgerSource: ledger.name)
        try await store.recordMismatches(response.discrepancies, period: period.wire)
        return response
    }

    /// `id` reduced to `[A-Za-z0-9_-]` (at most 64 characters), safe in a file name.
    static func fileNamePart(_ id: String) -> String {
        String(String.UnicodeScalarView(id.unicodeScalars.filter { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
        }.prefix(64)))
    }
}
