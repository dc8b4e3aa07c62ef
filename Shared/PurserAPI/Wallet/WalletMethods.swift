import PurserRPC

/// The methods of `purser.wallet.v1.Wallet`, typed by request and response.
/// Mutating methods are not `idempotent` at the transport level: clients send
/// an `idempotency-key`, which makes their retries safe.
public enum WalletMethods {
    static let prefix = "purser.wallet.v1.Wallet/"

    public static let fund = MethodDescriptor<FundRequest, FundResponse>(prefix + "Fund")
    public static let allocate = MethodDescriptor<AllocateRequest, TransferResponse>(prefix + "Allocate")
    public static let reclaim = MethodDescriptor<ReclaimRequest, TransferResponse>(prefix + "Reclaim")
    public static let getBalance = MethodDescriptor<GetBalanceRequest, WalletBalance>(prefix + "GetBalance", idempotent: true)
    public static let authorize = MethodDescriptor<AuthorizeRequest, AuthorizeResponse>(prefix + "Authorize")
    public static let capture = MethodDescriptor<CaptureRequest, CaptureResponse>(prefix + "Capture")
    public static let void = MethodDescriptor<VoidRequest, VoidResponse>(prefix + "Void")
    public static let charge = MethodDescriptor<ChargeRequest, ChargeResponse>(prefix + "Charge")
    public static let refund = MethodDescriptor<RefundRequest, RefundResponse>(prefix + "Refund")
    public static let listEntries = MethodDescriptor<ListEntriesRequest, ListEntriesResponse>(prefix + "ListEntries", idempotent: true)
    public static let freezeAccount = MethodDescriptor<AgentRevocationNotice, FreezeAccountResponse>(
        prefix + "FreezeAccount", idempotent: true)
    public static let captureFeed = MethodDescriptor<CaptureFeedRequest, CaptureFeedResponse>(prefix + "CaptureFeed", idempotent: true)
    public static let auditLedger = MethodDescriptor<AuditLedgerRequest, AuditLedgerResponse>(prefix + "AuditLedger", idempotent: true)
    public static let ledgerTotals = MethodDescriptor<LedgerTotalsRequest, LedgerTotalsResponse>(
        prefix + "LedgerTotals", idempotent: true)
    public static let getSpendCounters = MethodDescriptor<GetSpendCountersRequest, GetSpendCountersResponse>(
        prefix + "GetSpendCounters", idempotent: true)
    public static let policyChanged = MethodDescriptor<PolicyChangedNotice, PolicyChangedResponse>(
        prefix + "PolicyChanged", idempotent: true)

    /// The full name of every method, in the order of the proto file.
    public static let allNames: [String] = [
        fund.fullName, allocate.fullName, reclaim.fullName, getBalance.fullName, authorize.fullName, capture.fullName,
        void.fullName, charge.fullName, refund.fullName, listEntries.fullName, freezeAccount.fullName,
        captureFeed.fullName, auditLedger.fullName, ledgerTotals.fullName, getSpendCounters.fullName,
        policyChanged.fullName,
    ]
}
