import PurserAPI
import PurserKit
import PurserRPC
import PurserService

/// The production `CaptureFeedSource`: `purser.wallet.v1.Wallet/CaptureFeed`
/// and `TransferFeed` over mutual TLS, presenting Settlement's certificate (the Wallet serves the
/// feed to the `settlement` service principal only).
///
/// The feed's cursor is the Wallet's opaque cursor text ("" = from the beginning).
package struct WalletCaptureFeed: CaptureFeedSource {
    package let client: RPCClient
    package let timeout: Duration

    package init(client: RPCClient, timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// A client for the Wallet at `endpoint`, verified against `caPath` (its
    /// certificate must name `wallet`), presenting `certificatePath`/`privateKeyPath`.
    package init(endpoint: Endpoint, caPath: String, certificatePath: String, privateKeyPath: String, logger: Logger) throws(RPCError) {
        let tls = TLSConfiguration.client(trustRootsPath: caPath, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        self.init(client: try RPCClient(
            configuration: ClientConfiguration(
                host: endpoint.host, port: endpoint.port, serverName: endpoint.host, expectedPeer: "wallet", tls: tls),
            logger: logger))
    }

    package func page(after cursor: String, limit: Int) async throws -> FeedPage {
        var request = CaptureFeedRequest()
        request.cursor = cursor
        request.limit = Int32(clamping: limit)
        let response = try await client.call(WalletMethods.captureFeed, request, timeout: timeout)
        let entries = try response.entries.map { item throws(RPCError) -> FeedEntry in
            let kind: FeedEntry.Kind
            switch item.kind {
            case .capture: kind = .capture
            case .refund: kind = .refund
            default: throw .feedEntryInvalid("feed entry \(item.entryID.prefix(64)) has unknown kind \(item.kind.rawValue)")
            }
            return FeedEntry(
                entryID: item.entryID, kind: kind, tenantID: item.tenantID, agentID: item.agentID,
                providerID: item.providerID, category: item.category, currency: item.currency,
                amountMicros: item.amountMicros, holdID: item.holdID, occurredAtUs: item.createdAtUs)
        }
        return FeedPage(entries: entries, nextCursor: response.nextCursor.isEmpty ? cursor : response.nextCursor)
    }

    package func transfers(after cursor: String, limit: Int) async throws -> TransferPage {
        var request = TransferFeedRequest()
        request.cursor = cursor
        request.limit = Int32(clamping: limit)
        let response = try await client.call(WalletMethods.transferFeed, request, timeout: timeout)
        let transfers = response.entries.map { item in
            TransferEntry(
                entryID: item.entryID, payerTenantID: item.payerTenantID, payeeTenantID: item.payeeTenantID,
                currency: item.currency, amountMicros: item.amountMicros, holdID: item.holdID, occurredAtUs: item.createdAtUs)
        }
        return TransferPage(transfers: transfers, nextCursor: response.nextCursor.isEmpty ? cursor : response.nextCursor)
    }
}
