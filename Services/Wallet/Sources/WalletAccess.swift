import PurserAPI
import PurserAuth
import PurserRPC

/// Which principals may call each Wallet method, declared once and checked by
/// the service host before the request is decoded (anyone else gets
/// PERMISSION_DENIED). Methods open to services further name the one service
/// that may call them.
package enum WalletAccess {
    /// Allowed principal kinds, by full method name.
    package static let allowed: [String: Set<Principal.Kind>] = [
        WalletMethods.fund.fullName: [.operator, .tenantAdmin],
        // An agent moves credits between itself and its descendants; Identity
        // funds a new sub-agent from its parent (CreateSubAgent).
        WalletMethods.allocate.fullName: [.tenantAdmin, .agent, .service],
        WalletMethods.reclaim.fullName: [.tenantAdmin, .agent],
        WalletMethods.getBalance.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.setBalanceAlert.fullName: [.tenantAdmin],
        WalletMethods.authorize.fullName: [.agent],
        WalletMethods.authorizeCredit.fullName: [.agent],
        // A hold's state is its payee's to read (the x402 facilitator checks it as the provider).
        WalletMethods.getHold.fullName: [.provider],
        // Capture and release are the payee's acts (a provider, or the agent a hold
        // pays); an agent's hold is also released by its expiry and by the agent's
        // revocation (FreezeAccount).
        WalletMethods.capture.fullName: [.provider, .agent],
        WalletMethods.void.fullName: [.provider, .agent],
        WalletMethods.charge.fullName: [.agent, .provider],
        // Refunds are the payee's, or the operator's.
        WalletMethods.refund.fullName: [.provider, .operator],
        WalletMethods.listEntries.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.listBalances.fullName: [.tenantAdmin, .tenantFinance],
        WalletMethods.listHolds.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.listDenials.fullName: [.tenantAdmin, .tenantFinance, .agent],
        WalletMethods.freezeAccount.fullName: [.service],
        WalletMethods.captureFeed.fullName: [.service],
        WalletMethods.transferFeed.fullName: [.service],
        WalletMethods.auditLedger.fullName: [.operator, .tenantAdmin, .tenantFinance],
        WalletMethods.ledgerTotals.fullName: [.operator, .tenantFinance, .service],
        WalletMethods.getSpendCounters.fullName: [.service],
        WalletMethods.policyChanged.fullName: [.service],
    ]

    /// The one service allowed to call a method open to services, by full method name.
    package static let services: [String: String] = [
        WalletMethods.freezeAccount.fullName: "identity",
        WalletMethods.allocate.fullName: "identity",
        WalletMethods.captureFeed.fullName: "settlement",
        WalletMethods.transferFeed.fullName: "settlement",
        WalletMethods.ledgerTotals.fullName: "settlement",
        WalletMethods.getSpendCounters.fullName: "policy",
        WalletMethods.policyChanged.fullName: "policy",
    ]

    static func kinds<Request, Response>(_ method: MethodDescriptor<Request, Response>) -> Set<Principal.Kind> {
        allowed[method.fullName] ?? []
    }

    static func services<Request, Response>(_ method: MethodDescriptor<Request, Response>) -> Set<String> {
        services[method.fullName].map { [$0] } ?? []
    }
}
