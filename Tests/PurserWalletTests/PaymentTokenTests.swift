import Foundation
import PurserAPI
import PurserPostgres
import PurserRPC
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

/// What a provider may do with the credential an agent hands it: charge that
/// agent, for itself, up to the amount the agent allowed, and nothing else.
@Suite struct PaymentTokenTests {
    @Test func aProviderPresentingTheAgentsFullTokenIsRefusedAndCannotTakeTheAccountOver() async throws {
        try await withWallet("pay_full_token") { h in
            let world = try await h.world("fulltoken", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            var charge = ChargeRequest()
            charge.amountMicros = 1_000
            let refused = await rpcError {
                _ = try await h.call(
                    WalletMethods.charge, charge, token: world.providerToken, key: "full",
                    metadata: ["agent-authorization": "Bearer \(world.agentToken)"])
            }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.reason == "token_scope")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 1_000_000)
        }
    }

    @Test func aPaymentTokenPaysItsProviderUpToItsMaximumInAll() async throws {
        try await withWallet("pay_max") { h in
            let world = try await h.world("paymax", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 10_000_000)
            let token = try await h.paymentToken(world, maxMicros: 1_000_000)
            // max + 1 in one charge: refused before the ledger.
            let over = await rpcError { _ = try await h.charge(world, micros: 1_000_001, with: token, key: "over") }
            #expect(over?.code == .permissionDenied)
            #expect(over?.reason == "token_amount_exceeded")
            // max - 1, then 1: exactly the maximum in all.
            let first = try await h.charge(world, micros: 999_999, with: token, key: "first")
            #expect(first.amountMicros == 999_999)
            let replay = try await h.charge(world, micros: 999_999, with: token, key: "first")
            #expect(replay.holdID == first.holdID)
            let last = try await h.charge(world, micros: 1, with: token, key: "last")
            #expect(last.amountMicros == 1)
            // Anything more passes the maximum.
            let beyond = await rpcError { _ = try await h.charge(world, micros: 1, with: token, key: "beyond") }
            #expect(beyond?.code == .permissionDenied)
            #expect(beyond?.reason == "token_amount_exceeded")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 9_000_000)
            let charged = try await h.walletHost.pool.withConnection { connection in
                let rows = try connection.query(
                    "SELECT charged, charges::int8 FROM wallet.payment_tokens WHERE tenant_id = $1::uuid", [world.tenantID])
                return try rows.map { [try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1)] }
            }
            #expect(charged == [[1_000_000, 2]])
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken).clean)
        }
    }

    @Test func aDeniedChargeDoesNotUseThePaymentToken() async throws {
        try await withWallet("pay_denied") { h in
            let world = try await h.world("paydenied", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 500)
            let token = try await h.paymentToken(world, maxMicros: 1_000, singleUse: true)
            let poor = await rpcError { _ = try await h.charge(world, micros: 1_000, with: token, key: "poor") }
            #expect(poor?.reason == "insufficient_funds")
            #expect(poor?.metadata["available_micros"] == nil)
            let paid = try await h.charge(world, micros: 500, with: token, key: "paid")
            #expect(paid.amountMicros == 500 && paid.availableAfterMicros == 0)
        }
    }

    @Test func aSingleUsePaymentTokenPaysExactlyOnceUnderConcurrentPresentations() async throws {
        try await withWallet("pay_once") { h in
            let world = try await h.world("payonce", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 10_000_000)
            let token = try await h.paymentToken(world, maxMicros: 1_000_000, singleUse: true)
            let answers = await Self.racingCharges(h, world, token: token, count: 16, keyPrefix: "once")
            #expect(answers.filter { $0 == "paid" }.count == 1, "\(answers)")
            #expect(answers.filter { $0 == "token_used" }.count == 15, "\(answers)")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 9_900_000)
        }
    }

    @Test func aPaymentTokenPaysOnlyTheProviderItNamesAndNothingElse() async throws {
        try await withWallet("pay_bound") { h in
            let operatorToken = try await h.operatorToken()
            let world = try await h.world("paybound", operatorToken: operatorToken)
            let rival = try await h.world("rival", operatorToken: operatorToken)
            try await h.fund(world, agentMicros: 1_000_000)
            let token = try await h.paymentToken(world, maxMicros: 1_000_000)

            var charge = ChargeRequest()
            charge.amountMicros = 1_000
            let elsewhere = await rpcError {
                _ = try await h.call(
                    WalletMethods.charge, charge, token: rival.providerToken, key: "rival",
                    metadata: ["agent-authorization": "Bearer \(token)"])
            }
            #expect(elsewhere?.code == .permissionDenied)
            #expect(elsewhere?.reason == "token_scope")

            // Presented as a caller's own token, it opens nothing: not the Wallet, not Identity.
            let asBearer = await rpcError { _ = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: token) }
            #expect(asBearer?.code == .permissionDenied)
            #expect(asBearer?.reason == "token_scope")
            var authorize = AuthorizeRequest()
            authorize.amountMicros = 1_000
            authorize.providerID = world.providerID
            let spend = await rpcError { _ = try await h.call(WalletMethods.authorize, authorize, token: token, key: "spend") }
            #expect(spend?.code == .permissionDenied)
            #expect(spend?.reason == "token_scope")
            let takeover = await rpcError {
                _ = try await h.identity(
                    IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: world.tenantID, agentID: world.agentID),
                    token: token)
            }
            #expect(takeover?.code == .permissionDenied)
            #expect(takeover?.reason == "token_scope")
            let another = await rpcError {
                _ = try await h.identity(
                    IdentityMethods.issuePaymentToken, IssuePaymentTokenRequest(providerID: world.providerID, maxAmountMicros: 1), token: token)
            }
            #expect(another?.code == .permissionDenied)
            #expect(another?.reason == "token_scope")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 1_000_000)
        }
    }

    @Test func aPaymentTokenLivingLongerThanTheLongestHoldIsRefused() async throws {
        try await withWallet("pay_lifetime", settings: WalletSettings(maximumHoldTTL: .seconds(600))) { h in
            let world = try await h.world("paylife", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            let hourLong = try await h.paymentToken(world, maxMicros: 1_000)
            let refused = await rpcError { _ = try await h.charge(world, micros: 1_000, with: hourLong, key: "long") }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.reason == "token_scope")
            let tenMinutes = try await h.paymentToken(world, maxMicros: 1_000, ttlSeconds: 600)
            let paid = try await h.charge(world, micros: 1_000, with: tenMinutes, key: "short")
            #expect(paid.amountMicros == 1_000)
        }
    }

    @Test func concurrentChargesUnderOneTokenNeverTakeMoreThanItsMaximum() async throws {
        try await withWallet("pay_sum_race") { h in
            let world = try await h.world("paysum", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 10_000_000)
            let token = try await h.paymentToken(world, maxMicros: 1_000_000)
            let answers = await Self.racingCharges(h, world, token: token, count: 24, keyPrefix: "sum")
            #expect(answers.filter { $0 == "paid" }.count == 10, "\(answers)")
            #expect(answers.filter { $0 == "token_amount_exceeded" }.count == 14, "\(answers)")
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceMicros == 9_000_000)
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken).clean)
        }
    }

    /// `count` charges of 0.1 presented at once by the provider under `token`,
    /// each with its own idempotency key; the answer of each (`paid` or its reason).
    static func racingCharges(
        _ h: WalletHarness, _ world: WalletHarness.World, token: String, count: Int, keyPrefix: String
    ) async -> [String] {
        await withTaskGroup(of: String.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        _ = try await h.charge(world, micros: 100_000, with: token, key: "\(keyPrefix)-\(index)")
                        return "paid"
                    } catch let error as RPCError {
                        return error.reason ?? "\(error.code)"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
    }
}
