import PurserRPC

/// One capture or refund as the Wallet's capture feed reports it.
package struct FeedEntry: Sendable, Hashable, Codable {
    /// Captures add to what a tenant owes a provider; refunds subtract.
    package enum Kind: String, Sendable, Hashable, Codable {
        case capture, refund
    }

    /// The Wallet's ledger entry id: Settlement stores each entry once under it.
    package var entryID: String
    package var kind: Kind
    package var tenantID: String
    package var agentID: String
    package var providerID: String
    package var category: String
    package var currency: String
    /// Always positive; `kind` gives the direction.
    package var amountMicros: Int64
    package var holdID: String
    /// When the Wallet committed the entry, Unix µs UTC.
    package var occurredAtUs: Int64

    /// An entry with every field given.
    package init(
        entryID: String, kind: Kind, tenantID: String, agentID: String, providerID: String, category: String,
        currency: String, amountMicros: Int64, holdID: String, occurredAtUs: Int64
    ) {
        self.entryID = entryID
        self.kind = kind
        self.tenantID = tenantID
        self.agentID = agentID
        self.providerID = providerID
        self.category = category
        self.currency = currency
        self.amountMicros = amountMicros
        self.holdID = holdID
        self.occurredAtUs = occurredAtUs
    }

    /// `amountMicros` for a capture, its negation for a refund.
    package var signedMicros: Int64 { kind == .capture ? amountMicros : -amountMicros }

    /// Longest id, category or currency Settlement stores.
    static let maximumFieldLength = 200

    /// Checks what Settlement relies on: ids present, a positive amount, a
    /// plausible time, bounded text. Throws `feed_entry_invalid` naming the field.
    package func validate() throws(RPCError) {
        let required: [(String, String)] = [
            ("entry_id", entryID), ("tenant_id", tenantID), ("provider_id", providerID), ("currency", currency),
        ]
        for (name, value) in required where value.isEmpty {
            throw .feedEntryInvalid("feed entry \(entryID) has an empty \(name)")
        }
        let bounded: [(String, String)] = required + [("agent_id", agentID), ("category", category), ("hold_id", holdID)]
        for (name, value) in bounded where value.utf8.count > Self.maximumFieldLength || value.utf8.contains(0) {
            throw .feedEntryInvalid("feed entry \(entryID.prefix(64)) has an invalid \(name)")
        }
        guard amountMicros > 0 else { throw .feedEntryInvalid("feed entry \(entryID) has a non-positive amount") }
        guard occurredAtUs > 0 else { throw .feedEntryInvalid("feed entry \(entryID) has no time") }
    }
}

/// A page of the capture feed: entries in commit order and the cursor that
/// follows the last of them.
package struct FeedPage: Sendable, Equatable {
    package var entries: [FeedEntry]
    /// Pass this as `after` to read on; equal to the request's cursor when there was nothing new.
    package var nextCursor: String

    /// A page of `entries` followed by `nextCursor`.
    package init(entries: [FeedEntry], nextCursor: String) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// Where captures and refunds, and payments across tenants, come from: the
/// Wallet's `CaptureFeed` and `TransferFeed` in production (`WalletCaptureFeed`).
///
/// Requirements, for each of the two feeds: entries come in a stable order;
/// reading `after` the same cursor again returns the same entries (or more);
/// the empty cursor reads from the beginning.
package protocol CaptureFeedSource: Sendable {
    /// At most `limit` captures and refunds after `cursor`.
    func page(after cursor: String, limit: Int) async throws -> FeedPage
    /// At most `limit` payments across tenants after `cursor` (the transfer feed's own cursor).
    func transfers(after cursor: String, limit: Int) async throws -> TransferPage
}
