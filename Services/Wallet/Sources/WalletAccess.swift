import PurserAPI
import PurserAuth
import PurserRPC

/// Which principals may call each Wallet method (checked before the request
/// is decoded; anyone else gets PERMISSION_DENIED). Methods open to services
/// further require the right service name.
public enum WalletAccess {
    /// Allowed principal kinds, by full method name.
    public static let allowed: [String: Set<Principal.Kind>] = [
        WalletMethods.fund.fullName: [.operator, .tenantAdmin],
        WalletMethods.allocate.fullName: [.tenantAdmin],
        WalletMethods.reclaim.fullName: [.tenantAdmin],
        WalletMethods.getBalance.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.authorize.fullName: [.agent],
        WalletMethods.capture.fullName: [.provider, .agent],
        WalletMethods.void.fullName: [.agent, .provider],
        WalletMethods.charge.fullName: [.agent, .provider],
        WalletMethods.refund.fullName: [.provider, .tenantAdmin],
        WalletMethods.listEntries.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.freezeAccount.fullName: [.service],
        WalletMethods.captureFeed.fullName: [.service],
        WalletMethods.auditLedger.fullName: [.operator, .tenantAdmin, .tenantFinance],
        WalletMethods.ledgerTotals.fullName: [.operator, .tenantFinance, .service],
        WalletMethods.getSpendCounters.fullName: [.service],
        WalletMethods.policyChanged.fullName: [.service],
    ]

    /// The one service allowed to call a method open to services, by full method name.
    public static let services: [String: String] = [
        WalletMethods.freezeAccount.fullName: "identity",
        WalletMethods.captureFeed.fullName: "settlement",
        WalletMethods.ledgerTotals.fullName: "settlement",
        WalletMethods.getSpendCounters.fullName: "policy",
        WalletMethods.policyChanged.fullName: "policy",
    ]

    static func kinds<Request, Response>(_ method: MethodDescriptor<Request, Response>) -> Set<Principal.Kind> {
        allowed[method.fullName] ?? []
    }
}
