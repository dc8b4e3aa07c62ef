/// Captures and refunds of one tenant × provider × currency over a period.
public struct LedgerTotal: Sendable, Hashable {
    public var key: ReconcileKey
    public var captureMicros: Int64
    public var refundMicros: Int64

    /// Totals of `key`.
    public init(key: ReconcileKey, captureMicros: Int64 = 0, refundMicros: Int64 = 0) {
        self.key = key
        self.captureMicros = captureMicros
        self.refundMicros = refundMicros
    }

    /// Captures minus refunds.
    public var netMicros: Int64 { captureMicros - refundMicros }
}

/// The tenant × provider × currency a reconciliation total belongs to.
public struct ReconcileKey: Sendable, Hashable, Comparable {
    public var tenantID: String
    public var providerID: String
    public var currency: String

    /// The key of one tenant, provider and currency.
    public init(tenantID: String, providerID: String, currency: String) {
        self.tenantID = tenantID
        self.providerID = providerID
        self.currency = currency
    }

    public static func < (lhs: ReconcileKey, rhs: ReconcileKey) -> Bool {
        (lhs.tenantID, lhs.providerID, lhs.currency) < (rhs.tenantID, rhs.providerID, rhs.currency)
    }
}

/// Where `Reconcile` gets the ledger's side: totals of captures and refunds per
/// tenant × provider × currency that occurred in a period, in one call.
///
/// The Wallet's capture feed replayed from its start (`FeedReplayLedgerTotals`)
/// is the source until the Wallet answers such totals itself; a source backed by
/// a single Wallet RPC (e.g. `Wallet/LedgerTotals(period)`) drops in here.
public protocol LedgerTotalsSource: Sendable {
    /// Names the source in `ReconcileResponse.ledger_source`.
    var name: String { get }
    /// Totals of the entries that occurred in `period`.
    func ledgerTotals(for period: SettlementPeriod) async throws -> [LedgerTotal]
}

/// Ledger totals recomputed by reading the capture feed from its beginning —
/// the Wallet's own record, independent of what Settlement stored.
public struct FeedReplayLedgerTotals: LedgerTotalsSource {
    public let source: any CaptureFeedSource
    public let pageSize: Int
    public var name: String { "feed" }

    /// Totals replayed from `source`, `pageSize` entries per call.
    public init(source: any CaptureFeedSource, pageSize: Int = 1_000) {
        self.source = source
        self.pageSize = max(1, pageSize)
    }

    /// Reads the whole feed and sums the captures and refunds that occurred in `period`.
    public func ledgerTotals(for period: SettlementPeriod) async throws -> [LedgerTotal] {
        var totals: [ReconcileKey: LedgerTotal] = [:]
        var cursor = ""
        while true {
            try Task.checkCancellation()
            let page = try await source.page(after: cursor, limit: pageSize)
            for entry in page.entries where period.contains(entry.occurredAtUs) {
                let key = ReconcileKey(tenantID: entry.tenantID, providerID: entry.providerID, currency: entry.currency)
                var total = totals[key] ?? LedgerTotal(key: key)
                switch entry.kind {
                case .capture: total.captureMicros += entry.amountMicros
                case .refund: total.refundMicros += entry.amountMicros
                }
                totals[key] = total
            }
            guard page.nextCursor != cursor else { break }
            cursor = page.nextCursor
        }
        return totals.values.sorted { $0.key < $1.key }
    }
}
