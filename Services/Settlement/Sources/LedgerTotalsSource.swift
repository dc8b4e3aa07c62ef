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
/// tenant × provider × currency that occurred in a period, in one call. In
/// production the Wallet computes them from its ledger (`WalletLedgerTotals`).
package protocol LedgerTotalsSource: Sendable {
    /// Names the source in `ReconcileResponse.ledger_source`.
    var name: String { get }
    /// Totals of the entries that occurred in `period`.
    func ledgerTotals(for period: SettlementPeriod) async throws -> [LedgerTotal]
}
