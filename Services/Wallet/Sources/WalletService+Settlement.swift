import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// CaptureFeed (service `settlement`): captures and refunds in commit-safe
    /// order after a cursor (see `Ledger.feed`). TransferFeed (service
    /// `settlement`): payments across tenants the same way (see
    /// `Ledger.transferFeed`). AuditLedger (operator for one
    /// or every tenant; tenant admin and finance for their own): the ledger's
    /// invariants, with any discrepancy found. LedgerTotals (service
    /// `settlement` and the operator for one or every tenant; tenant finance
    /// for its own): captures and refunds of a period per tenant × provider ×
    /// currency, and payments across tenants per payer × payee tenant × currency.
    func registerSettlement() {
        handle(WalletMethods.captureFeed) { request, _, _ in
            guard let cursor = FeedCursor(parsing: request.cursor) else {
                throw RPCError.invalid("cursor", "is not a cursor this feed issued")
            }
            guard request.limit >= 0 else { throw RPCError.invalid("limit", "must not be negative") }
            let limit = request.limit == 0 ? 500 : min(Int(request.limit), 5_000)
            let items = try await self.ledger.feed(after: cursor, limit: limit)
            var response = CaptureFeedResponse()
            response.entries = items.map(CaptureFeedEntry.init(feed:))
            response.nextCursor = items.last?.cursor.description ?? cursor.description
            return response
        }
        handle(WalletMethods.transferFeed) { request, _, _ in
            guard let cursor = FeedCursor(parsing: request.cursor) else {
                throw RPCError.invalid("cursor", "is not a cursor this feed issued")
            }
            guard request.limit >= 0 else { throw RPCError.invalid("limit", "must not be negative") }
            let limit = request.limit == 0 ? 500 : min(Int(request.limit), 5_000)
            let items = try await self.ledger.transferFeed(after: cursor, limit: limit)
            var response = TransferFeedResponse()
            response.entries = items.map(TransferFeedEntry.init(feed:))
            response.nextCursor = items.last?.cursor.description ?? cursor.description
            return response
        }
        handle(WalletMethods.auditLedger) { request, principal, _ in
            let tenant: UUID? = principal.isOperator && request.tenantID.isEmpty
                ? nil : try WalletRequest.tenant(principal, requested: request.tenantID)
            let discrepancies = try await self.ledger.audit(tenant: tenant)
            var response = AuditLedgerResponse()
            response.discrepancies = discrepancies.map { found in
                var item = LedgerDiscrepancy()
                item.tenantID = found.tenantID.lowercased
                item.check = found.check
                item.subject = found.subject
                item.expected = found.expected
                item.actual = found.actual
                item.outOfRange = found.outOfRange
                return item
            }
            response.clean = discrepancies.isEmpty
            response.checkedAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
            return response
        }
        handle(WalletMethods.ledgerTotals) { request, principal, _ in
            guard request.startAtUs >= 0 else { throw RPCError.invalid("start_at_us", "must not be negative") }
            guard request.endAtUs > request.startAtUs else {
                throw RPCError.invalid("end_at_us", "must be after start_at_us")
            }
            guard request.endAtUs <= Ledger.latestInstantUs else {
                throw RPCError.invalid("end_at_us", "must not be after \(Ledger.latestInstantUs)")
            }
            let tenant: UUID? = principal.tenantID == nil && request.tenantID.isEmpty
                ? nil : try WalletRequest.tenant(principal, requested: request.tenantID)
            let totals = try await self.ledger.totals(fromUs: request.startAtUs, toUs: request.endAtUs, tenant: tenant)
            var response = LedgerTotalsResponse()
            response.lines = totals.map(LedgerTotalsLine.init(total:))
            let transfers = try await self.ledger.transferTotals(fromUs: request.startAtUs, toUs: request.endAtUs, tenant: tenant)
            response.transfers = transfers.map(TransferTotalsLine.init(total:))
            response.startAtUs = request.startAtUs
            response.endAtUs = request.endAtUs
            return response
        }
    }
}

extension CaptureFeedEntry {
    init(feed item: FeedItem) {
        self.init()
        entryID = item.entryID.lowercased
        kind = LedgerEntryKind(ledgerKind: item.kind)
        tenantID = item.tenantID.lowercased
        agentID = item.agentID.lowercased
        providerID = item.providerID.lowercased
        category = item.category
        amountMicros = item.amountMicros
        holdID = item.holdID.lowercased
        createdAtUs = item.createdAtUs
        currency = item.currency
        cursor = item.cursor.description
    }
}

extension LedgerTotalsLine {
    init(total: PeriodTotal) {
        self.init()
        tenantID = total.tenantID.lowercased
        providerID = total.providerID.lowercased
        currency = total.currency
        captureMicros = total.captureMicros
        refundMicros = total.refundMicros
        outOfRange = total.outOfRange
    }
}

extension TransferFeedEntry {
    init(feed item: TransferFeedItem) {
        self.init()
        entryID = item.entryID.lowercased
        payerTenantID = item.payerTenantID.lowercased
        payeeTenantID = item.payeeTenantID.lowercased
        amountMicros = item.amountMicros
        currency = item.currency
        holdID = item.holdID.lowercased
        createdAtUs = item.createdAtUs
        cursor = item.cursor.description
    }
}

extension TransferTotalsLine {
    init(total: TransferTotal) {
        self.init()
        payerTenantID = total.payerTenantID.lowercased
        payeeTenantID = total.payeeTenantID.lowercased
        currency = total.currency
        amountMicros = total.amountMicros
        outOfRange = total.outOfRange
    }
}
