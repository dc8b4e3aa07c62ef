import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import PurserWallet
import Testing

/// An agent paying an agent of another tenant over purser/1, through the
/// Wallet, Identity and Policy services: the payee's tenant decides whether
/// it accepts such payments (Identity/UpdateTenantSettings, its admin or the
/// operator), the payee captures from its own tenant, and each tenant's
/// ledger shows its own leg. Serialized: one service harness at a time, so
/// the suite adds one harness to the target's peak of connections.
@Suite(.serialized) struct CrossTenantRPCTests {
    static func balance(_ h: WalletHarness, _ world: WalletHarness.World, agent: String) async throws -> WalletBalance {
        var request = GetBalanceRequest()
        request.agentID = agent
        return try await h.call(WalletMethods.getBalance, request, token: world.adminToken)
    }

    @Test func anAgentPaysAnAgentOfATenantThatAcceptsOtherTenants() async throws {
        // A short directory lifetime, so the Wallet sees the payee's tenant change its setting.
        try await withWallet("cross_tenant_rpc", settings: WalletSettings(directoryTTL: .milliseconds(200))) { h in
            let operatorToken = try await h.operatorToken()
            let payer = try await h.world("xt-pay", operatorToken: operatorToken)
            let payee = try await h.world("xt-get", operatorToken: operatorToken, provider: (payer.providerID, payer.providerToken))
            try await h.fund(payer, agentMicros: 1_000_000)

            var charge = ChargeRequest()
            charge.amountMicros = 200_000
            charge.payeeAgent = "xt-get-agent@xt-get"
            let refused = await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: payer.agentToken, key: "r1") }
            #expect(refused?.code == .failedPrecondition && refused?.reason == "payee_refuses_other_tenants", "tenants refuse by default")

            // Only the operator or the payee tenant's own admin changes its setting.
            let accept = UpdateTenantSettingsRequest(tenantID: payee.tenantID, acceptsPaymentsFromOtherTenants: true)
            let foreign = await rpcError { _ = try await h.identity(IdentityMethods.updateTenantSettings, accept, token: payer.adminToken) }
            #expect(foreign?.code == .notFound)
            let finance = await rpcError { _ = try await h.identity(IdentityMethods.updateTenantSettings, accept, token: payee.financeToken) }
            #expect(finance?.code == .permissionDenied)
            let updated = try await h.identity(IdentityMethods.updateTenantSettings, accept, token: payee.adminToken)
            #expect(updated.acceptsPaymentsFromOtherTenants && updated.id == payee.tenantID)
            let unchanged = try await h.identity(
                IdentityMethods.updateTenantSettings, UpdateTenantSettingsRequest(tenantID: payee.tenantID), token: operatorToken)
            #expect(unchanged.acceptsPaymentsFromOtherTenants, "a setting left unset keeps its value")
            try await Task.sleep(for: .milliseconds(400))

            // The refusal stays under its key; a new key pays.
            let replay = await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: payer.agentToken, key: "r1") }
            #expect(replay?.reason == "payee_refuses_other_tenants")
            let paid = try await h.call(WalletMethods.charge, charge, token: payer.agentToken, key: "c1")
            #expect(paid.amountMicros == 200_000 && paid.availableAfterMicros == 800_000)
            #expect(try await Self.balance(h, payee, agent: payee.agentID).balanceMicros == 200_000)

            var authorize = AuthorizeRequest()
            authorize.amountMicros = 100_000
            authorize.payeeAgent = "xt-get-agent@xt-get"
            let hold = try await h.call(WalletMethods.authorize, authorize, token: payer.agentToken, key: "a1")
            var capture = CaptureRequest()
            capture.holdID = hold.holdID
            capture.amountMicros = 60_000
            // Agents act in their own tenant; a provider names the tenant (here the payer's, where the hold lives).
            for (token, tenant) in [(payer.agentToken, ""), (payer.otherAgentToken, ""), (payee.otherAgentToken, ""),
                                    (payer.providerToken, payer.tenantID)] {
                var stranger = capture
                stranger.tenantID = tenant
                let refused = await rpcError { _ = try await h.call(WalletMethods.capture, stranger, token: token, key: "x-\(token.suffix(6))") }
                #expect(refused?.code == .notFound)
            }
            let captured = try await h.call(WalletMethods.capture, capture, token: payee.agentToken, key: "cap1")
            #expect(captured.capturedMicros == 60_000 && captured.releasedMicros == 40_000)
            #expect(captured.availableAfterMicros == 0, "the payee never learns the payer's balance")
            #expect(try await Self.balance(h, payee, agent: payee.agentID).balanceMicros == 260_000)
            #expect(try await Self.balance(h, payer, agent: payer.agentID).availableMicros == 740_000)

            // Each tenant's ledger holds its own leg; both audits are clean.
            var outgoing = ListEntriesRequest()
            outgoing.kind = .transferOut
            let out = try await h.call(WalletMethods.listEntries, outgoing, token: payer.financeToken)
            #expect(out.entries.map(\.amountMicros).sorted() == [60_000, 200_000])
            var incoming = ListEntriesRequest()
            incoming.accountID = payee.agentID
            let received = try await h.call(WalletMethods.listEntries, incoming, token: payee.agentToken)
            #expect(received.entries.filter { $0.kind == .transferIn }.map(\.amountMicros).sorted() == [60_000, 200_000])
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: payer.financeToken).clean)
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: payee.financeToken).clean)

            // Each tenant's balances show what it owes or is owed the other.
            let owes = try await h.call(WalletMethods.listBalances, ListBalancesRequest(), token: payer.financeToken).positions
            #expect(owes.map(\.counterTenantID) == [payee.tenantID])
            #expect(owes.first?.payableMicros == 260_000 && owes.first?.receivableMicros == 0)
            let owed = try await h.call(WalletMethods.listBalances, ListBalancesRequest(), token: payee.adminToken).positions
            #expect(owed.map(\.counterTenantID) == [payer.tenantID])
            #expect(owed.first?.payableMicros == 0 && owed.first?.receivableMicros == 260_000)
        }
    }

    /// An agent of a tenant that keeps its books in another currency is
    /// refused (`payee_currency_mismatch`), even when that tenant accepts
    /// other tenants; by id, another tenant's agent stays unknown.
    @Test func aPayeeOfAnotherCurrencyOrNamedByIdIsRefused() async throws {
        try await withWallet("cross_tenant_currency") { h in
            let operatorToken = try await h.operatorToken()
            let payer = try await h.world("xt-usd", operatorToken: operatorToken)
            try await h.fund(payer, agentMicros: 1_000_000)
            let euro = try await h.identity(
                IdentityMethods.createTenant,
                CreateTenantRequest(slug: "xt-eur", name: "Euro tenant", currency: "EUR", acceptsPaymentsFromOtherTenants: true),
                token: operatorToken)
            let key = try await h.identity(
                IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: euro.id, role: .admin, label: "admin"), token: operatorToken)
            let payee = try await h.identity(
                IdentityMethods.createAgent, CreateAgentRequest(tenantID: euro.id, handle: "helper"), token: try await h.token(key.secret))

            var charge = ChargeRequest()
            charge.amountMicros = 1_000
            charge.payeeAgent = "helper@xt-eur"
            let mismatch = await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: payer.agentToken, key: "m1") }
            #expect(mismatch?.code == .failedPrecondition && mismatch?.reason == "payee_currency_mismatch")
            var byID = ChargeRequest()
            byID.amountMicros = 1_000
            byID.payeeAgentID = payee.agent.id
            let unknown = await rpcError { _ = try await h.call(WalletMethods.charge, byID, token: payer.agentToken, key: "m2") }
            #expect(unknown?.code == .failedPrecondition && unknown?.reason == "payee_unknown")
            #expect(try await Self.balance(h, payer, agent: payer.agentID).availableMicros == 1_000_000)
        }
    }
}
