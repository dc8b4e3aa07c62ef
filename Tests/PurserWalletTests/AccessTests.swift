import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

@Suite struct AccessTests {
    // Which principal may call which method is not re-derived here from
    // `WalletAccess` (the table the handlers read): the system authorization
    // matrix (Tests/SystemTests/AuthorizationMatrixTests.swift) calls every
    // Wallet RPC as every principal and service certificate, and with no token
    // or a certificate that is no service, against an independent written-out
    // table (Tests/SystemTests/Support/AccessExpectations.swift).

    @Test func everyMethodHasAnAccessRule() {
        for method in WalletMethods.allNames {
            #expect(WalletAccess.allowed[method] != nil, "\(method) has no access rule")
        }
    }

    @Test func anotherTenantsIdsAnswerNotFound() async throws {
        try await withWallet("rpc_isolation") { h in
            let operatorToken = try await h.operatorToken()
            let mine = try await h.world("mine", operatorToken: operatorToken)
            let theirs = try await h.world(
                "theirs", operatorToken: operatorToken, provider: (mine.providerID, mine.providerToken))
            try await h.fund(mine, agentMicros: 1_000_000)
            let hold = try await h.authorize(mine, micros: 1_000)

            var allocate = AllocateRequest()
            allocate.agentID = mine.agentID
            allocate.amountMicros = 1
            var balance = GetBalanceRequest()
            balance.agentID = mine.agentID
            var foreignTenant = GetBalanceRequest()
            foreignTenant.tenantID = mine.tenantID
            var capture = CaptureRequest()
            capture.tenantID = mine.tenantID
            capture.holdID = hold.holdID
            var void = VoidRequest()
            void.holdID = hold.holdID
            var entries = ListEntriesRequest()
            entries.accountID = mine.agentID
            var foreignEntries = ListEntriesRequest()
            foreignEntries.tenantID = mine.tenantID
            var audit = AuditLedgerRequest()
            audit.tenantID = mine.tenantID
            var refund = RefundRequest()
            refund.holdID = hold.holdID
            var ownAgentsBalance = GetBalanceRequest()
            ownAgentsBalance.agentID = mine.otherAgentID

            let failures: [(String, RPCError?)] = [
                ("allocate to another tenant's agent", await rpcError {
                    _ = try await h.call(WalletMethods.allocate, allocate, token: theirs.adminToken, key: "x1") }),
                ("balance of another tenant's agent", await rpcError {
                    _ = try await h.call(WalletMethods.getBalance, balance, token: theirs.financeToken) }),
                ("balance naming another tenant", await rpcError {
                    _ = try await h.call(WalletMethods.getBalance, foreignTenant, token: theirs.adminToken) }),
                ("entries of another tenant's agent", await rpcError {
                    _ = try await h.call(WalletMethods.listEntries, entries, token: theirs.adminToken) }),
                ("entries of an unknown account", await rpcError {
                    var request = ListEntriesRequest()
                    request.accountID = UUID().uuidString.lowercased()
                    _ = try await h.call(WalletMethods.listEntries, request, token: theirs.adminToken) }),
                ("entries naming another tenant", await rpcError {
                    _ = try await h.call(WalletMethods.listEntries, foreignEntries, token: theirs.financeToken) }),
                ("audit of another tenant", await rpcError {
                    _ = try await h.call(WalletMethods.auditLedger, audit, token: theirs.financeToken) }),
                ("another agent's balance", await rpcError {
                    _ = try await h.call(WalletMethods.getBalance, ownAgentsBalance, token: mine.agentToken) }),
                ("another agent's entries", await rpcError {
                    var request = ListEntriesRequest()
                    request.accountID = mine.otherAgentID
                    _ = try await h.call(WalletMethods.listEntries, request, token: mine.agentToken) }),
            ]
            for (what, failure) in failures {
                #expect(failure?.code == .notFound, "\(what): \(String(describing: failure))")
                #expect(failure?.reason == "not_found", "\(what): \(String(describing: failure))")
            }
            // Capture and void are the payee's acts: an agent may call them for holds that pay it, so an
            // agent that is not this hold's payee (of this tenant or another) finds no such hold.
            let notPayee: [(String, RPCError?)] = [
                ("capture by another tenant's agent", await rpcError {
                    _ = try await h.call(WalletMethods.capture, capture, token: theirs.agentToken, key: "x2") }),
                ("void by another agent of the same tenant", await rpcError {
                    _ = try await h.call(WalletMethods.void, void, token: mine.otherAgentToken, key: "x3") }),
                ("void by another tenant's agent", await rpcError {
                    _ = try await h.call(WalletMethods.void, void, token: theirs.agentToken, key: "x4") }),
            ]
            for (what, failure) in notPayee {
                #expect(failure?.code == .notFound, "\(what): \(String(describing: failure))")
                #expect(failure?.reason == "not_found", "\(what)")
            }
            // Refunds are the payee provider's or the operator's: a tenant admin is refused by role.
            let byRole: [(String, RPCError?)] = [
                ("refund by another tenant's admin", await rpcError {
                    _ = try await h.call(WalletMethods.refund, refund, token: theirs.adminToken, key: "x5") }),
            ]
            for (what, failure) in byRole {
                #expect(failure?.code == .permissionDenied, "\(what): \(String(describing: failure))")
                #expect(failure?.reason == "permission_denied", "\(what)")
            }
            var providerEntries = ListEntriesRequest()
            providerEntries.accountID = mine.providerID
            let payable = try await h.call(WalletMethods.listEntries, providerEntries, token: mine.financeToken)
            #expect(payable.entries.isEmpty)
            var stillHeld = GetBalanceRequest()
            stillHeld.agentID = mine.agentID
            #expect(try await h.call(WalletMethods.getBalance, stillHeld, token: mine.adminToken).heldMicros == 1_000)
        }
    }
}
