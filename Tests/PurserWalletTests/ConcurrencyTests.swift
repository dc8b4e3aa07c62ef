import Foundation
import PurserRPC
import PurserWallet
import Testing

@Suite struct ConcurrencyTests {
    /// 64 tasks × 50 authorizations of 1,000 micros against an agent funded for exactly 1,000 of them.
    @Test(arguments: [1, 2])
    func concurrentAuthorizationsNeverOverspend(replicas: Int) async throws {
        try await LedgerFixture.with("overspend_\(replicas)", poolSize: 8) { f in
            let approvalsFunded = 1_000
            let agent = try await f.fundedAgent(Int64(approvalsFunded) * 1_000)
            let coalescers = (0..<replicas).map { _ in AuthorizationCoalescer(ledger: f.ledger) }
            let started = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: [String].self) { group in
                for task in 0..<64 {
                    let coalescer = coalescers[task % replicas]
                    group.addTask {
                        var reasons: [String] = []
                        for _ in 0..<50 {
                            do {
                                _ = try await coalescer.authorize(tenant: f.tenant, agent: agent, f.command(1_000))
                                reasons.append("approved")
                            } catch let error as RPCError {
                                reasons.append(error.reason ?? "no reason: \(error)")
                            }
                        }
                        return reasons
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            let elapsed = ContinuousClock.now - started
            let approved = outcomes.filter { $0 == "approved" }.count
            let refused = outcomes.filter { $0 == "insufficient_funds" }.count
            #expect(approved == approvalsFunded)
            #expect(refused == outcomes.count - approvalsFunded)
            #expect(try await f.available(agent) == 0)
            #expect(try await f.audit() == [])
            let batches = coalescers.map(\.statistics.batches).reduce(0, +)
            print("concurrency replicas=\(replicas) requests=\(outcomes.count) approvals=\(approved) denials=\(refused) "
                  + "elapsed=\(elapsed) transactions=\(batches) mean_batch=\(outcomes.count / max(batches, 1)) "
                  + "retries=\(f.ledger.metrics.retries)")
        }
    }

    @Test func batchesStayWithinTheirBoundAndAgentsAreDecidedIndependently() async throws {
        try await LedgerFixture.with("batch_bound") { f in
            var agents: [UUID] = []
            for _ in 0..<5 {
                agents.append(try await f.fundedAgent(30_000))
            }
            let coalescer = AuthorizationCoalescer(ledger: f.ledger, maximumBatch: 4)
            let approvals = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    let agent = agents[index % agents.count]
                    group.addTask {
                        do {
                            _ = try await coalescer.authorize(tenant: f.tenant, agent: agent, f.command(1_000))
                            return 1
                        } catch let error as RPCError where error.reason == "insufficient_funds" {
                            return 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(approvals == 5 * 30)
            for agent in agents {
                #expect(try await f.available(agent) == 0)
            }
            let statistics = coalescer.statistics
            #expect(statistics.requests == 200)
            #expect(statistics.batches >= 200 / 4)
            #expect(try await f.audit() == [])
        }
    }

    @Test func authorizationsMixedWithCapturesVoidsAndExpiriesStayConsistent() async throws {
        try await LedgerFixture.with("mixed") { f in
            let funded: Int64 = 500 * 1_000
            let agent = try await f.fundedAgent(funded)
            let coalescer = AuthorizationCoalescer(ledger: f.ledger)
            let started = ContinuousClock.now
            let sweeping = Task {
                var swept = 0
                while !Task.isCancelled {
                    swept += (try? await f.ledger.sweepExpiredHolds(limit: 100)) ?? 0
                    try? await Task.sleep(for: .milliseconds(5))
                }
                return swept
            }
            let tallies = try await withThrowingTaskGroup(of: [String: Int].self) { group in
                for task in 0..<64 {
                    group.addTask {
                        var tally: [String: Int] = [:]
                        for step in 0..<50 {
                            let expiring = (task + step) % 7 == 0
                            let ttl: Int64 = expiring ? 1_000 : 60_000_000
                            do {
                                let hold = try await coalescer.authorize(tenant: f.tenant, agent: agent, f.command(1_000, ttl: ttl))
                                tally["approved", default: 0] += 1
                                if expiring { continue }
                                switch step % 3 {
                                case 0:
                                    _ = try await f.ledger.capture(
                                        tenant: f.tenant, hold: hold.holdID, amountMicros: 600, caller: .provider(f.provider),
                                        scope: LedgerFixture.scope("provider"))
                                    tally["captured", default: 0] += 1
                                case 1:
                                    _ = try await f.ledger.void(
                                        tenant: f.tenant, hold: hold.holdID, caller: .provider(f.provider), scope: LedgerFixture.scope("provider"))
                                    tally["voided", default: 0] += 1
                                default:
                                    tally["left_pending", default: 0] += 1
                                }
                            } catch let error as RPCError {
                                tally[error.reason ?? "no reason: \(error)", default: 0] += 1
                            }
                        }
                        return tally
                    }
                }
                return try await group.reduce(into: [String: Int]()) { total, part in total.merge(part, uniquingKeysWith: +) }
            }
            try await f.waitUntilShortLivedHoldsExpired()
            sweeping.cancel()
            let swept = await sweeping.value + (try await f.ledger.sweepExpiredHolds(limit: 10_000))
            let elapsed = ContinuousClock.now - started
            let balance = try #require(try await f.ledger.balance(tenant: f.tenant, account: .agent(agent)))
            let captured = Int64(tallies["captured", default: 0]) * 600
            #expect(balance.balanceMicros == funded - captured)
            #expect(balance.heldMicros == Int64(tallies["left_pending", default: 0]) * 1_000)
            #expect(balance.availableMicros >= 0)
            #expect(tallies["internal", default: 0] == 0)
            #expect(try await f.audit() == [])
            print("mixed tallies=\(tallies.sorted { $0.key < $1.key }) swept=\(swept) elapsed=\(elapsed) "
                  + "retries=\(f.ledger.metrics.retries)")
        }
    }

    @Test func spendCountersNeverExceedTheirCapUnderConcurrency() async throws {
        try await LedgerFixture.with("counters") { f in
            let agent = try await f.fundedAgent(10_000_000)
            let coalescer = AuthorizationCoalescer(ledger: f.ledger)
            let daily = SpendLimit(scopeKey: "daily", windowKey: "2026-11-21", capMicros: 50_000)
            let hourly = SpendLimit(scopeKey: "hourly", windowKey: "2026-11-21T18", capMicros: 1_000_000, capCount: 40)
            let outcomes = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        var reasons: [String] = []
                        for _ in 0..<10 {
                            do {
                                _ = try await coalescer.authorize(
                                    tenant: f.tenant, agent: agent, f.command(1_000, limits: [daily, hourly]))
                                reasons.append("approved")
                            } catch let error as RPCError {
                                reasons.append(error.reason ?? "no reason: \(error)")
                            }
                        }
                        return reasons
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(outcomes.filter { $0 == "approved" }.count == 40)
            #expect(outcomes.filter { $0 == "limit_exceeded" }.count == outcomes.count - 40)
            #expect(try await f.available(agent) == 10_000_000 - 40_000)

            let tight = SpendLimit(scopeKey: "per_task", windowKey: "task-1", capMicros: 5_000)
            let first = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(3_000, limits: [tight]))
            var denial: RPCError?
            do throws(RPCError) {
                _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(3_000, limits: [tight]))
            } catch {
                denial = error
            }
            #expect(denial?.reason == "limit_exceeded")
            #expect(denial?.metadata["rule"] == "per_task")
            #expect(denial?.metadata["headroom_micros"] == "2000")
            _ = try await f.ledger.void(tenant: f.tenant, hold: first.holdID, caller: .provider(f.provider), scope: LedgerFixture.scope())
            let afterVoid = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(5_000, limits: [tight]))
            _ = try await f.ledger.capture(tenant: f.tenant, hold: afterVoid.holdID, amountMicros: 2_000, caller: .provider(f.provider),
                                           scope: LedgerFixture.scope())
            let afterPartialCapture = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(3_000, limits: [tight]))
            #expect(afterPartialCapture.amountMicros == 3_000)
            #expect(try await f.audit() == [])
        }
    }
}
