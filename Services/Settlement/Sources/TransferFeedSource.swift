import PurserRPC

/// One payment to an agent of another tenant as the Wallet's TransferFeed
/// reports it (the payer tenant's `transfer_out` entry).
package struct TransferEntry: Sendable, Hashable, Codable {
    /// The Wallet's ledger entry id: Settlement stores each transfer once under it.
    package var entryID: String
    package var payerTenantID: String
    package var payeeTenantID: String
    package var currency: String
    /// Always positive.
    package var amountMicros: Int64
    package var holdID: String
    /// When the Wallet committed the entry, Unix µs UTC.
    package var occurredAtUs: Int64

    /// A transfer with every field given.
    package init(
        entryID: String, payerTenantID: String, payeeTenantID: String, currency: String, amountMicros: Int64,
        holdID: String, occurredAtUs: Int64
    ) {
        self.entryID = entryID
        self.payerTenantID = payerTenantID
        self.payeeTenantID = payeeTenantID
        self.currency = currency
        self.amountMicros = amountMicros
        self.holdID = holdID
        self.occurredAtUs = occurredAtUs
    }

    /// Checks what Settlement relies on: ids present and bounded, two
    /// different tenants, a positive amount, a plausible time. Throws
    /// `feed_entry_invalid` naming the field.
    package func validate() throws(RPCError) {
        let fields: [(String, String)] = [
            ("entry_id", entryID), ("payer_tenant_id", payerTenantID), ("payee_tenant_id", payeeTenantID),
            ("currency", currency), ("hold_id", holdID),
        ]
        for (name, value) in fields
        where value.isEmpty || value.utf8.count > FeedEntry.maximumFieldLength || value.utf8.contains(0) {
            throw .feedEntryInvalid("transfer \(entryID.prefix(64)) has an invalid \(name)")
        }
        guard payerTenantID != payeeTenantID else { throw .feedEntryInvalid("transfer \(entryID) pays its own tenant") }
        guard amountMicros > 0 else { throw .feedEntryInvalid("transfer \(entryID) has a non-positive amount") }
        guard occurredAtUs > 0 else { throw .feedEntryInvalid("transfer \(entryID) has no time") }
    }
}

/// A page of the transfer feed: transfers in commit order and the cursor that
/// follows the last of them.
package struct TransferPage: Sendable, Equatable {
    package var transfers: [TransferEntry]
    /// Pass this as `after` to read on; equal to the request's cursor when there was nothing new.
    package var nextCursor: String

    /// A page of `transfers` followed by `nextCursor`.
    package init(transfers: [TransferEntry], nextCursor: String) {
        self.transfers = transfers
        self.nextCursor = nextCursor
    }
}
