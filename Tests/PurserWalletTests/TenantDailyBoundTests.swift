import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserService
import PurserTestSupport
import PurserWallet
import Testing

/// The per-tenant daily bound (`PURSER_WALLET_TENANT_DAILY_MAX_MICROS`): what
/// one tenant's Fund and Refund calls bring in over one UTC day never passes
/// it, however many callers race at it; replays are answered, not counted; a
/// refused or denied call leaves the headroom as it was; spending the money
/// already in (Authorize, Charge) is not counted.
@Suite struct TenantDailyBoundTests {
    @Test func fundsAndRefundsCountTowardTheBoundAndStopExactlyAtIt() async throws {
        try await LedgerFixture.with("daily_bound_ledger") { f in
            // Fund: 600 + 400 reach the bound of 1,000 exactly; 401 would pass it.
            let bounded = Ledger(pool: f.pool, tenantDailyMaximumMicros: 1_000)
            let tenant = UUID()
            func fund(_ micros: Int64, _ scope: IdempotencyScope = LedgerFixture.scope("operator")) async throws -> FundReceipt {
                try await bounded.fund(tenant: tenant, currency: "USD", amountMicros: micros, reference: "wire", description: "", scope: scope)
            }
            let first = LedgerFixture.scope("operator")
            _ = try await fund(600, first)
            #expect(await denialReason { try await fund(401) } == "tenant_daily_limit_exceeded")
            _ = try await fund(400)
            #expect(await denialReason { try await fund(1) } == "tenant_daily_limit_exceeded")
            #expect(try await fund(600, first).amountMicros == 600)
            // Another tenant has its own bound.
            _ = try await bounded.fund(
                tenant: UUID(), currency: "USD", amountMicros: 1_000, reference: "wire", description: "", scope: LedgerFixture.scope())

            // Refund: the fixture funds 10,000 (counted) and a charge spends 6,000
            // (not counted); of a bound of 14,000, 4,000 is left for refunds.
            let agent = try await f.fundedAgent(10_000)
            let refunding = Ledger(pool: f.pool, tenantDailyMaximumMicros: 14_000)
            let charged = try await refunding.authorize(tenant: f.tenant, agent: agent, f.command(6_000, kind: .charge))
            func refund(_ micros: Int64?) async throws -> RefundReceipt {
                try await refunding.refund(
                    tenant: f.tenant, hold: charged.holdID, amountMicros: micros, reason: "", caller: .provider(f.provider),
                    scope: LedgerFixture.scope("provider"))
            }
            #expect(await denialReason { try await refund(4_001) } == "tenant_daily_limit_exceeded")
            #expect(try await refund(4_000).refundedMicros == 4_000)
            #expect(await denialReason { try await refund(nil) } == "tenant_daily_limit_exceeded")
            #expect(try await f.audit().isEmpty)
        }
    }

    @Test func concurrentFundsAtTheBoundOverRPCApproveExactlyWhatItLeavesAndSpendingIsNotCounted() async throws {
        var settings = WalletSettings()
        settings.tenantDailyMaximumMicros = 1_000_000
        try await withWallet("rpc_daily_bound", settings: settings) { h in
            let world = try await h.world("daily-bound", operatorToken: try await h.operatorToken())
            // Funding moves 600,000 of the 1,000,000: 400,000 is left for today.
            try await h.fund(world, agentMicros: 600_000)
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = 10_000
            fund.externalReference = "wire"
            let racing = fund
            let outcomes = await withTaskGroup(of: (Int, String).self) { group in
                for index in 0..<64 {
                    group.addTask {
                        do {
                            _ = try await h.call(WalletMethods.fund, racing, token: world.operatorToken, key: "race-\(index)")
                            return (index, "approved")
                        } catch let error as RPCError {
                            return (index, error.reason ?? "\(error)")
                        } catch {
                            return (index, "\(error)")
                        }
                    }
                }
                var outcomes: [Int: String] = [:]
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            #expect(outcomes.values.filter { $0 == "approved" }.count == 40)
            #expect(outcomes.values.filter { $0 == "tenant_daily_limit_exceeded" }.count == 24)
            // At the bound: one more micro is refused; a replay of an approval is answered.
            fund.amountMicros = 1
            let over = await rpcError { _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: "one-more") }
            #expect(over?.code == .failedPrecondition)
            #expect(over?.reason == "tenant_daily_limit_exceeded")
            fund.amountMicros = 10_000
            let approved = try #require(outcomes.first { $0.value == "approved" }?.key)
            let replay = await rpcError {
                _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: "race-\(approved)")
            }
            #expect(replay == nil)
            // Spending what is in counts toward nothing: the agent charges its whole balance at the bound.
            var charge = ChargeRequest()
            charge.amountMicros = 600_000
            charge.providerID = world.providerID
            let spent = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: UUID().uuidString)
            #expect(spent.amountMicros == 600_000)
            let treasury = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.adminToken)
            #expect(treasury.availableMicros == 400_000)
        }
    }

    @Test func theDailyBoundIsASettingTheReadmeDocuments() throws {
        let settings = try WalletSettings(
            configuration: Configuration(service: "wallet", environment: ["PURSER_WALLET_TENANT_DAILY_MAX_MICROS": "5000"]))
        #expect(settings.tenantDailyMaximumMicros == 5_000)
        #expect(try WalletSettings(configuration: Configuration(service: "wallet", environment: [:])).tenantDailyMaximumMicros
            == 1_000_000_000_000_000)
        #expect(throws: (any Error).self) {
            try WalletSettings(configuration: Configuration(service: "wallet", environment: ["PURSER_WALLET_TENANT_DAILY_MAX_MICROS": "0"]))
        }
        let documenting = Configuration.documenting(service: "wallet")
        _ = try ServiceSettings(name: "wallet", configuration: documenting)
        _ = try WalletSettings(configuration: documenting)
        let readme = try String(contentsOfFile: TestEnvironment.repositoryRoot() + "/README.md", encoding: .utf8)
        #expect(documenting.declared.contains { $0.variable == "PURSER_WALLET_TENANT_DAILY_MAX_MICROS" })
        for declaration in documenting.declared {
            let generic = declaration.variable.replacingOccurrences(of: "PURSER_WALLET_", with: "PURSER_<S>_")
            #expect(readme.contains("`\(declaration.variable)`") || readme.contains("`\(generic)`"), "\(declaration.variable)")
        }
    }
}
