import PurserKit
import PurserRPC
import PurserService
import PurserWire

/// The production `CaptureFeedSource`: `purser.wallet.v1.Wallet/CaptureFeed`
/// over mutual TLS, presenting Settlement's certificate (the Wallet serves the
/// feed to the `settlement` service principal only).
///
/// The feed's cursor is the Wallet's int64 position, carried as its decimal
/// text in `FeedPage.nextCursor` ("" = from the beginning).
public struct WalletCaptureFeed: CaptureFeedSource {
    public static let method = MethodDescriptor<CaptureFeedRequest, CaptureFeedResponse>(
        "purser.wallet.v1.Wallet/CaptureFeed", idempotent: true)

    public let client: RPCClient
    public let timeout: Duration

    public init(client: RPCClient, timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// A client for the Wallet at `endpoint`, verified against `caPath`,
    /// presenting `certificatePath`/`privateKeyPath`.
    public init(endpoint: Endpoint, caPath: String, certificatePath: String, privateKeyPath: String, logger: Logger) throws(RPCError) {
        let tls = TLSConfiguration.client(trustRootsPath: caPath, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        self.init(client: try RPCClient(
            configuration: ClientConfiguration(host: endpoint.host, port: endpoint.port, serverName: endpoint.host, tls: tls),
            logger: logger))
    }

    public func page(after cursor: String, limit: Int) async throws -> FeedPage {
        guard let position = cursor.isEmpty ? 0 : Int64(cursor) else {
            throw SettlementError.feedEntryInvalid("the stored capture feed cursor \"\(cursor.prefix(32))\" is not a Wallet position")
        }
        let response = try await client.call(
            Self.method, CaptureFeedRequest(cursor: position, limit: Int32(clamping: limit)), timeout: timeout)
        let entries = try response.entries.map { item throws(SettlementError) -> FeedEntry in
            let kind: FeedEntry.Kind
            switch item.kind {
            case .capture: kind = .capture
            case .refund: kind = .refund
            default: throw .feedEntryInvalid("feed entry \(item.entryID.prefix(64)) has unknown kind \(item.kind.rawValue)")
            }
            return FeedEntry(
                entryID: item.entryID, kind: kind, tenantID: item.tenantID, agentID: item.agentID,
                providerID: item.providerID, category: item.category, currency: item.currency,
                amountMicros: item.amountMicros, holdID: item.holdID, occurredAtUs: item.occurredAtUs)
        }
        return FeedPage(entries: entries, nextCursor: response.nextCursor == 0 ? cursor : String(response.nextCursor))
    }
}

/// Settlement's reading of `purser.wallet.v1.CaptureFeedRequest`.
public struct CaptureFeedRequest: WireMessage {
    /// Entries after this position (0 = from the beginning).
    public var cursor: Int64 = 0
    public var limit: Int32 = 0
    public init() {}
    public init(cursor: Int64, limit: Int32) {
        self.cursor = cursor
        self.limit = limit
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &cursor)
        try t.field(2, &limit)
    }
}

/// `purser.wallet.v1.CaptureFeedEntryKind`.
public struct CaptureFeedEntryKind: WireEnum, Hashable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let unspecified = CaptureFeedEntryKind(rawValue: 0)
    public static let capture = CaptureFeedEntryKind(rawValue: 1)
    public static let refund = CaptureFeedEntryKind(rawValue: 2)
}

/// Settlement's reading of `purser.wallet.v1.CaptureFeedEntry`.
public struct CaptureFeedEntry: WireMessage {
    public var entryID = ""
    public var kind = CaptureFeedEntryKind.unspecified
    public var tenantID = ""
    public var agentID = ""
    public var providerID = ""
    public var category = ""
    public var amountMicros: Int64 = 0
    public var holdID = ""
    public var occurredAtUs: Int64 = 0
    public var currency = ""
    /// The entry's feed position.
    public var cursor: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entryID)
        try t.field(2, &kind)
        try t.field(3, &tenantID)
        try t.field(4, &agentID)
        try t.field(5, &providerID)
        try t.field(6, &category)
        try t.field(7, &amountMicros)
        try t.field(8, &holdID)
        try t.field(9, &occurredAtUs)
        try t.field(10, &currency)
        try t.field(11, &cursor)
    }
}

/// Settlement's reading of `purser.wallet.v1.CaptureFeedResponse`.
public struct CaptureFeedResponse: WireMessage {
    public var entries: [CaptureFeedEntry] = []
    /// The position after the last entry; pass it as `cursor` next time.
    public var nextCursor: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &entries)
        try t.field(2, &nextCursor)
    }
}
