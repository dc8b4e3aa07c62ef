import Foundation
import PurserWallet
import Testing

/// The ledger's record of payment tokens: counted in the charge's transaction, purged once no verifier accepts the token.
@Suite struct PaymentTokenLedgerTests {
    @Test func recordsOfExpiredPaymentTokensArePurgedAndLiveOnesKept() async throws {
        try await LedgerFixture.with("pay_purge") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let expired = PaymentTokenUse(tokenID: "expired", maximumMicros: 5_000, singleUse: false, expiresAtUs: nowUs - 3_600_000_000)
            let live = PaymentTokenUse(tokenID: "live", maximumMicros: 5_000, singleUse: true, expiresAtUs: nowUs + 600_000_000)
            _ = try await f.ledger.charge(tenant: f.tenant, agent: agent, provider: f.provider, f.command(1_000, kind: .charge, principal: "provider"),
                                          under: expired)
            _ = try await f.ledger.charge(tenant: f.tenant, agent: agent, provider: f.provider, f.command(2_000, kind: .charge, principal: "provider"),
                                          under: live)
            #expect(try await f.ledger.purgePaymentTokens(graceMicros: 300_000_000, limit: 100) == 1)
            #expect(try await f.ledger.purgePaymentTokens(graceMicros: 300_000_000, limit: 100) == 0)
            let again = await denialReason {
                try await f.ledger.charge(tenant: f.tenant, agent: agent, provider: f.provider, f.command(1, kind: .charge, principal: "provider"),
                                          under: live)
            }
            #expect(again == "token_used")
            #expect(try await f.available(agent) == 997_000)
            #expect(try await f.audit() == [])
        }
    }
}
