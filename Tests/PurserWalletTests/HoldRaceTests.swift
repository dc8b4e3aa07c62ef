import Foundation
import PurserWallet
import Testing

@Suite struct HoldRaceTests {
    @Test func aCaptureRacingAVoidAndAnExpiryHasExactlyOneWinner() async throws {
        try await LedgerFixture.with("capture_race") { f in
            let agent = try await f.fundedAgent(1_000_000)
            var winners: [String: Int] = [:]
            for round in 0..<30 {
                let ttl: Int64 = 150_000
                let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_000, ttl: ttl))
                let delays = [0, 0, 75_000, 140_000, 150_000, 200_000]
                try await Task.sleep(for: .microseconds(delays[round % delays.count]))
                async let capture = denialReason {
                    try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, caller: .provider(f.provider),
                                               scope: LedgerFixture.scope("provider"))
                }
                async let secondCapture = denialReason {
                    try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: 500, caller: .provider(f.provider),
                                               scope: LedgerFixture.scope("provider"))
                }
                async let void = denialReason {
                    try await f.ledger.void(tenant: f.tenant, hold: hold.holdID, caller: .provider(f.provider), scope: LedgerFixture.scope("provider"))
                }
                async let sweep = f.ledger.sweepExpiredHolds(limit: 10)
                let reasons = await [capture, secondCapture, void]
                let swept = try await sweep
                let successes = reasons.filter { $0 == nil }.count + swept
                let laterSweep = try await f.ledger.sweepExpiredHolds(limit: 10)
                #expect(successes + laterSweep == 1, "round \(round): \(reasons) swept \(swept)+\(laterSweep)")
                #expect(reasons.allSatisfy { $0 == nil || ["hold_already_captured", "hold_voided", "hold_expired"].contains($0!) })
                let label = reasons[0] == nil || reasons[1] == nil ? "capture" : reasons[2] == nil ? "void" : "expiry"
                winners[label, default: 0] += 1
            }
            let captures = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(kind: "capture"), before: nil, limit: 100)
            #expect(Set(captures.compactMap(\.holdID)).count == captures.count)
            #expect(try await f.ledger.balance(tenant: f.tenant, account: .agent(agent))?.heldMicros == 0)
            #expect(try await f.audit() == [])
            print("capture race winners=\(winners.sorted { $0.key < $1.key })")
        }
    }

    @Test func expiredHoldsAreReleasedOnceBySeveralSweepers() async throws {
        try await LedgerFixture.with("sweepers") { f in
            var agents: [UUID] = []
            for _ in 0..<10 {
                agents.append(try await f.fundedAgent(100_000))
            }
            let limit = SpendLimit(scopeKey: "daily", windowKey: "d", capMicros: 20_000, capCount: 20)
            for agent in agents {
                for _ in 0..<20 {
                    _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_000, ttl: 1, limits: [limit]))
                }
            }
            try await f.waitUntilShortLivedHoldsExpired()
            let swept = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var total = 0
                        while true {
                            let released = try await f.ledger.sweepExpiredHolds(limit: 7)
                            if released == 0 { break }
                            total += released
                        }
                        return total
                    }
                }
                return try await group.reduce(0, +)
            }
            let leftover = try await f.ledger.sweepExpiredHolds(limit: 1_000)
            #expect(swept + leftover == 200)
            for agent in agents {
                #expect(try await f.available(agent) == 100_000)
            }
            let again = try await f.ledger.authorize(tenant: f.tenant, agent: agents[0], f.command(20_000, limits: [limit]))
            #expect(again.amountMicros == 20_000)
            #expect(try await f.audit() == [])
        }
    }
}
