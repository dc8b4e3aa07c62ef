import Foundation
import PurserWallet
import Testing

@Suite struct IdempotencyTests {
    @Test func concurrentReplaysOfOneKeyPlaceOneHoldAndAnswerIdentically() async throws {
        try await LedgerFixture.with("replays") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let coalescer = AuthorizationCoalescer(ledger: f.ledger)
            let command = f.command(250_000, key: "retry-me")
            let receipts = try await withThrowingTaskGroup(of: AuthorizationReceipt.self) { group in
                for replay in 0..<20 {
                    group.addTask {
                        replay.isMultiple(of: 2)
                            ? try await coalescer.authorize(tenant: f.tenant, agent: agent, command)
                            : try await f.ledger.authorize(tenant: f.tenant, agent: agent, command)
                    }
                }
                return try await group.reduce(into: [AuthorizationReceipt]()) { $0.append($1) }
            }
            #expect(receipts.count == 20)
            #expect(Set(receipts.map(\.holdID)).count == 1)
            #expect(receipts.allSatisfy { $0 == receipts[0] })
            #expect(try await f.available(agent) == 750_000)
            let conflict = await denialReason {
                try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(250_001, key: "retry-me"))
            }
            #expect(conflict == "idempotency_conflict")
            let otherCaller = try await f.ledger.authorize(
                tenant: f.tenant, agent: agent, f.command(250_001, key: "retry-me", principal: "someone-else"))
            #expect(otherCaller.holdID != receipts[0].holdID)
        }
    }

    @Test func aDenialIsStoredAndReplayedAsTheSameOutcome() async throws {
        try await LedgerFixture.with("denial_replay") { f in
            let agent = try await f.fundedAgent(1_000)
            let command = f.command(2_000, key: "too-much")
            let first = await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: agent, command) }
            #expect(first == "insufficient_funds")
            _ = try await f.ledger.fund(tenant: f.tenant, currency: "USD", amountMicros: 5_000, reference: "top-up", description: "",
                                        scope: LedgerFixture.scope())
            _ = try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 5_000, scope: LedgerFixture.scope())
            let replay = await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: agent, command) }
            #expect(replay == "insufficient_funds")
            #expect(try await f.available(agent) == 6_000)
        }
    }

    @Test func everyMutatingCallReplaysItsFirstOutcome() async throws {
        try await LedgerFixture.with("replay_all") { f in
            let fundScope = LedgerFixture.scope("operator")
            let fund1 = try await f.ledger.fund(tenant: f.tenant, currency: "USD", amountMicros: 9_000, reference: "w", description: "",
                                                scope: fundScope)
            let fund2 = try await f.ledger.fund(tenant: f.tenant, currency: "USD", amountMicros: 9_000, reference: "w", description: "",
                                                scope: fundScope)
            #expect(fund1 == fund2)
            let fundConflict = await denialReason {
                try await f.ledger.fund(tenant: f.tenant, currency: "USD", amountMicros: 9_000, reference: "other", description: "",
                                        scope: fundScope)
            }
            #expect(fundConflict == "idempotency_conflict")
            let agent = UUID()
            let allocateScope = LedgerFixture.scope("admin")
            let allocate1 = try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 5_000, scope: allocateScope)
            let allocate2 = try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 5_000, scope: allocateScope)
            #expect(allocate1 == allocate2)
            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(3_000))
            let captureScope = LedgerFixture.scope("provider")
            let capture1 = try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: 2_000, caller: .provider(f.provider),
                                                      scope: captureScope)
            let capture2 = try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: 2_000, caller: .provider(f.provider),
                                                      scope: captureScope)
            #expect(capture1 == capture2)
            let refundScope = LedgerFixture.scope("provider")
            let refund1 = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 500, reason: "", caller: .provider(f.provider),
                                                    scope: refundScope)
            let refund2 = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 500, reason: "", caller: .provider(f.provider),
                                                    scope: refundScope)
            #expect(refund1 == refund2)
            let other = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_000))
            let voidScope = LedgerFixture.scope("provider")
            let void1 = try await f.ledger.void(tenant: f.tenant, hold: other.holdID, caller: .provider(f.provider), scope: voidScope)
            let void2 = try await f.ledger.void(tenant: f.tenant, hold: other.holdID, caller: .provider(f.provider), scope: voidScope)
            #expect(void1 == void2)
            #expect(try await f.available(agent) == 3_500)
            #expect(try await f.audit() == [])
        }
    }

    @Test func oldIdempotencyRecordsArePurgedAfterTheRetention() async throws {
        try await LedgerFixture.with("purge") { f in
            let agent = try await f.fundedAgent(1_000)
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(10))
            let tenant = f.tenant
            _ = try await f.pool.withConnection { connection in
                try connection.execute(
                    "UPDATE wallet.idempotency SET created_at = now() - interval '25 hours' WHERE tenant_id = $1 AND principal = 'operator'",
                    [tenant])
            }
            let day: Int64 = 24 * 3_600 * 1_000_000
            #expect(try await f.ledger.purgeIdempotencyRecords(olderThanMicros: day, limit: 100) == 1)
            #expect(try await f.ledger.purgeIdempotencyRecords(olderThanMicros: day, limit: 100) == 0)
            let remaining = try await f.pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM wallet.idempotency WHERE tenant_id = $1", [tenant]).first?.decode(Int64.self, at: 0)
            }
            #expect(remaining == 2)
        }
    }
}
