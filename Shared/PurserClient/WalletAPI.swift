import PurserAPI

/// Typed calls to `purser.wallet.v1.Wallet`. Every mutating call carries an
/// idempotency key (the caller's, or one generated per call and reused by its
/// retries), so a retried fund, authorization or capture takes effect once.
/// Denials come back as `PurserClientError` with `reason` (`insufficient_funds`,
/// `limit_exceeded` with `rule` and `headroom`, `agent_revoked`, …).
public struct WalletAPI: Sendable {
    public let channel: ServiceChannel

    /// Calls the Wallet over `channel`.
    public init(channel: ServiceChannel) { self.channel = channel }

    /// Moves money from outside (funding) into the tenant's treasury.
    public func fund(_ request: FundRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> FundResponse {
        try await channel.call(WalletMethods.fund, request, idempotencyKey: idempotencyKey)
    }

    /// Treasury → agent.
    public func allocate(_ request: AllocateRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> TransferResponse {
        try await channel.call(WalletMethods.allocate, request, idempotencyKey: idempotencyKey)
    }

    /// Agent → treasury, at most the agent's available balance.
    public func reclaim(_ request: ReclaimRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> TransferResponse {
        try await channel.call(WalletMethods.reclaim, request, idempotencyKey: idempotencyKey)
    }

    /// An agent's balance, or the treasury's.
    public func balance(_ request: GetBalanceRequest) async throws(PurserClientError) -> WalletBalance {
        try await channel.call(WalletMethods.getBalance, request)
    }

    /// Sets the available balance below which the agent's `agent.balance_low` event fires (0 = off).
    public func setBalanceAlert(_ request: SetBalanceAlertRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> WalletBalance {
        try await channel.call(WalletMethods.setBalanceAlert, request, idempotencyKey: idempotencyKey)
    }

    /// Places a hold on the calling agent's account (policy and balance checked atomically).
    public func authorize(_ request: AuthorizeRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> AuthorizeResponse {
        try await channel.call(WalletMethods.authorize, request, idempotencyKey: idempotencyKey)
    }

    /// Takes all or part of a hold; the rest is released.
    public func capture(_ request: CaptureRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> CaptureResponse {
        try await channel.call(WalletMethods.capture, request, idempotencyKey: idempotencyKey)
    }

    /// Releases a pending hold.
    public func void(_ request: VoidRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> VoidResponse {
        try await channel.call(WalletMethods.void, request, idempotencyKey: idempotencyKey)
    }

    /// Authorize and capture in one transaction.
    public func charge(_ request: ChargeRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> ChargeResponse {
        try await channel.call(WalletMethods.charge, request, idempotencyKey: idempotencyKey)
    }

    /// A provider charges the agent whose payment token (`Identity/IssuePaymentToken`,
    /// bound to this provider) it presents in `agent-authorization`.
    public func charge(
        _ request: ChargeRequest, paymentToken: String, idempotencyKey: String? = nil
    ) async throws(PurserClientError) -> ChargeResponse {
        try await channel.call(
            WalletMethods.charge, request, idempotencyKey: idempotencyKey, metadata: ["agent-authorization": "Bearer \(paymentToken)"])
    }

    /// Returns all or part of a capture to the agent.
    public func refund(_ request: RefundRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> RefundResponse {
        try await channel.call(WalletMethods.refund, request, idempotencyKey: idempotencyKey)
    }

    /// Ledger entries, newest first.
    public func entries(_ request: ListEntriesRequest) async throws(PurserClientError) -> ListEntriesResponse {
        try await channel.call(WalletMethods.listEntries, request)
    }

    /// Checks the ledger's invariants; `clean` when there is no discrepancy.
    public func audit(tenantID: String) async throws(PurserClientError) -> AuditLedgerResponse {
        var request = AuditLedgerRequest()
        request.tenantID = tenantID
        return try await channel.call(WalletMethods.auditLedger, request)
    }
}

extension PurserClient {
    /// The Wallet service.
    public func wallet() throws(PurserClientError) -> WalletAPI { WalletAPI(channel: try channel(.wallet)) }
}
