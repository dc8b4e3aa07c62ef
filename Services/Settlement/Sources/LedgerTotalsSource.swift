/// Captures and refunds of one tenant × provider × currency over a period.
package struct LedgerTotal: Sendable, Hashable {
    package var key: ReconcileKey
    package var captureMicros: Int64
    package var refundMicros: Int64
    /// The ledger could not represent these totals in 64 bits (the amounts are then 0).
    package var outOfRange: Bool

    /// Totals of `key`.
    package init(key: ReconcileKey, captureMicros: Int64 = 0, refundMicros: Int64 = 0, outOfRange: Bool = false) {
        self.key = key
        self.captureMicros = captureMicros
        self.refundMicros = refundMicros
        self.outOfRange = outOfRange
    }

    /// Captures minus refunds, or `nil` when the totals are out of range or the difference does not fit.
    package var netMicros: Int64? {
        outOfRange ? nil : CheckedMicros.difference(captureMicros, refundMicros)
    }
}

/// The tenant × provider × currency a reconciliation total belongs to.
package struct ReconcileKey: Sendable, Hashable, Comparable {
    package var tenantID: String
    package var providerID: String
    package var currency: String

    /// The key of one tenant, provider and currency.
    package init(tenantID: String, providerID: String, currency: String) {
        self.tenantID = tenantID
        self.providerID = providerID
        self.currency = currency
    }

    package static func < (lhs: ReconcileKey, rhs: ReconcileKey) -> Bool {
        (lhs.tenantID, lhs.providerID, lhs.currency) < (rhs.tenantID, rhs.providerID, rhs.currency)
    }
}

/// Where `Reconcile` gets the ledger's side: totals of captures and refunds per
/// tenant × provider × currency, and of payments across tenants per payer
/// tenant × payee tenant × currency, that occurred in a period, in one call.
/// In production the Wallet computes them from its ledger (`WalletLedgerTotals`).
package protocol LedgerTotalsSource: Sendable {
    /// Names the source in `ReconcileResponse.ledger_source`.
    var name: String { get }
    /// Totals of the entries that occurred in `period`.
    func ledgerTotals(for period: SettlementPeriod) async throws -> LedgerPeriodTotals
}

/// The ledger's totals of one period.
package struct LedgerPeriodTotals: Sendable, Hashable {
    /// Captures and refunds per tenant × provider × currency.
    package var lines: [LedgerTotal]
    /// Payments across tenants per payer tenant × payee tenant × currency.
    package var transfers: [LedgerTransferTotal]

    package init(lines: [LedgerTotal] = [], transfers: [LedgerTransferTotal] = []) {
        self.lines = lines
        self.transfers = transfers
    }
}

/// Payments from agents of one tenant to agents of another in one currency over a period.
package struct LedgerTransferTotal: Sendable, Hashable {
    package var key: TransferKey
    package var amountMicros: Int64
    /// The ledger could not represent the total in 64 bits (the amount is then 0).
    package var outOfRange: Bool

    package init(key: TransferKey, amountMicros: Int64, outOfRange: Bool = false) {
        self.key = key
        self.amountMicros = amountMicros
        self.outOfRange = outOfRange
    }
}

/// The payer tenant × payee tenant × currency a transfer total belongs to.
package struct TransferKey: Sendable, Hashable, Comparable {
    package var payerTenantID: String
    package var payeeTenantID: String
    package var currency: String

    package init(payerTenantID: String, payeeTenantID: String, currency: String) {
        self.payerTenantID = payerTenantID
        self.payeeTenantID = payeeTenantID
        self.currency = currency
    }

    package static func < (lhs: TransferKey, rhs: TransferKey) -> Bool {
        (lhs.payerTenantID, lhs.payeeTenantID, lhs.currency) < (rhs.payerTenantID, rhs.payeeTenantID, rhs.currency)
    }
}
