import PurserAPI
import PurserKit
import PurserRPC

/// The production `LedgerTotalsSource`: `purser.wallet.v1.Wallet/LedgerTotals`
/// (captures, refunds and payments across tenants) for the whole period and every tenant, in one call over mutual TLS as the
/// `settlement` service. The Wallet sums its own ledger entries, so the totals
/// are independent of what Settlement stored.
package struct WalletLedgerTotals: LedgerTotalsSource {
    package let client: RPCClient
    package let timeout: Duration
    package var name: String { "wallet" }

    /// Totals read through `client` (a client presenting Settlement's certificate).
    package init(client: RPCClient, timeout: Duration = .seconds(30)) {
        self.client = client
        self.timeout = timeout
    }

    /// The Wallet's totals of `period`. Throws `ledger_unavailable` when the
    /// Wallet answers a line Settlement cannot key (an empty id or currency).
    package func ledgerTotals(for period: SettlementPeriod) async throws -> LedgerPeriodTotals {
        let request = LedgerTotalsRequest(startAtUs: period.startUs, endAtUs: period.endUs)
        let response = try await client.call(WalletMethods.ledgerTotals, request, timeout: timeout)
        let lines = try response.lines.map { line throws(RPCError) -> LedgerTotal in
            guard !line.tenantID.isEmpty, !line.providerID.isEmpty, !line.currency.isEmpty else {
                throw .ledgerUnavailable("a ledger totals line has an empty tenant_id, provider_id or currency")
            }
            return LedgerTotal(
                key: ReconcileKey(tenantID: line.tenantID, providerID: line.providerID, currency: line.currency),
                captureMicros: line.captureMicros, refundMicros: line.refundMicros, outOfRange: line.outOfRange)
        }
        let transfers = try response.transfers.map { line throws(RPCError) -> LedgerTransferTotal in
            guard !line.payerTenantID.isEmpty, !line.payeeTenantID.isEmpty, !line.currency.isEmpty else {
                throw .ledgerUnavailable("a transfer totals line has an empty payer_tenant_id, payee_tenant_id or currency")
            }
            return LedgerTransferTotal(
                key: TransferKey(payerTenantID: line.payerTenantID, payeeTenantID: line.payeeTenantID, currency: line.currency),
                amountMicros: line.amountMicros, outOfRange: line.outOfRange)
        }
        return LedgerPeriodTotals(lines: lines, transfers: transfers)
    }
}
