import Dispatch
import Foundation
import PurserKit
import PurserPostgres
import PurserRPC
import PurserTestSupport
import Testing
@testable import PurserWallet

@Suite struct GroupCommitTests {
    /// The PL/pgSQL `request_hash` of migration 5 against the SQL expression
    /// it replaced: idempotency records stored before it must still match.
    @Test(arguments: [
        ["a"], ["a", "b"], [nil], ["x", nil, "y"], ["it's", "back\\slash", "ümlaut", ""], [],
    ] as [[String?]])
    func requestHashIsUnchangedByMigration(parts: [String?]) async throws {
        try await LedgerFixture.with("request_hash") { f in
            let literal = "ARRAY[" + parts.map { $0.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
                .joined(separator: ", ") + "]::text[]"
            let sql = """
                SELECT wallet.request_hash('Authorize', \(literal)) = sha256(convert_to('Authorize' || '|' || array_to_string(
                    ARRAY(SELECT coalesce(quote_literal(x), 'NULL') FROM unnest(\(literal)) AS x), '|'), 'UTF8'))
                """
            let same = try await f.pool.withConnection { connection in try connection.query(sql).first?.decode(Bool.self, at: 0) }
            #expect(same == true)
        }
    }

    @Test func severalAgentsAreDecidedInOneTransactionInTheOrderGiven() async throws {
        try await LedgerFixture.with("group_order") { f in
            let rich = try await f.fundedAgent(10_000)
            let poor = try await f.fundedAgent(1_000)
            let results = try await f.ledger.authorize([
                AgentAuthorizations(tenant: f.tenant, agent: rich, commands: [f.command(4_000), f.command(4_000), f.command(4_000)]),
                AgentAuthorizations(tenant: f.tenant, agent: poor, commands: [f.command(600), f.command(600)]),
            ])
            #expect(results.count == 2)
            #expect(results[0].map { (try? $0.get())?.availableAfterMicros } == [6_000, 2_000, nil])
            #expect(results[0].last.flatMap { if case .failure(let error) = $0 { error.reason } else { nil } } == "insufficient_funds")
            #expect(results[1].map { (try? $0.get())?.availableAfterMicros } == [400, nil])
            #expect(try await f.available(rich) == 2_000)
            #expect(try await f.available(poor) == 400)
            #expect(try await f.audit() == [])
        }
    }

    @Test func oneTransactionNeverSpansTenants() async throws {
        try await LedgerFixture.with("group_tenants") { f in
            let agent = try await f.fundedAgent(10_000)
            let error = await #expect(throws: RPCError.self) {
                try await f.ledger.authorize([
                    AgentAuthorizations(tenant: f.tenant, agent: agent, commands: [f.command(1_000)]),
                    AgentAuthorizations(tenant: UUID(), agent: UUID(), commands: [f.command(1_000)]),
                ])
            }
            #expect(error?.code == .internal)
            #expect(error?.message == "one authorization transaction names several tenants")
            #expect(try await f.available(agent) == 10_000)
        }
    }

    static let lowAgent = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
    static let highAgent = UUID(uuidString: "ffffffff-ffff-4fff-bfff-ffffffffffff")!

    /// Agents are decided in (tenant, agent) order whatever the order given,
    /// so the ids are fixed and both orders run: the failing agent decided
    /// after the good one (whose hold must be undone) and before it.
    @Test(arguments: [(lowAgent, highAgent), (highAgent, lowAgent)])
    func aFailingAgentRollsBackTheWholeLedgerTransaction(good: UUID, bad: UUID) async throws {
        try await LedgerFixture.with("group_rollback") { f in
            _ = try await f.fundedAgent(10_000, agent: good)
            _ = try await f.fundedAgent(10_000, agent: bad)
            let error = await #expect(throws: RPCError.self) {
                try await f.ledger.authorize([
                    AgentAuthorizations(tenant: f.tenant, agent: good, commands: [f.command(1_000)]),
                    AgentAuthorizations(tenant: f.tenant, agent: bad, commands: [f.command(-5)]),
                ])
            }
            // A negative hold reaches the holds table's CHECK (amount > 0) and fails the whole transaction.
            #expect(error?.code == .internal)
            #expect(error?.reason == "internal")
            #expect(error?.message == "ledger database error: check_violation")
            #expect(try await f.available(good) == 10_000)
            #expect(try await f.available(bad) == 10_000)
            #expect(try await f.audit() == [])
        }
    }

    /// Requests of several agents queued behind a blocked transaction run as
    /// one batch; when one agent's request breaks that batch, the others are
    /// decided on their own and still approved (once: the good agent's hold
    /// made in the broken batch is undone). Fixed ids, both decision orders.
    @Test(arguments: [(lowAgent, highAgent), (highAgent, lowAgent)])
    func oneAgentsFailureInASharedBatchIsNotAnothers(good: UUID, bad: UUID) async throws {
        try await LedgerFixture.with("group_isolation") { f in
            let blocker = try await f.fundedAgent(10_000)
            _ = try await f.fundedAgent(10_000, agent: good)
            _ = try await f.fundedAgent(10_000, agent: bad)
            let coalescer = AuthorizationCoalescer(ledger: f.ledger, maximumInFlight: 1)
            let locker = PostgresPool(configuration: TestDatabase.configuration(url: f.url, size: 1, applicationName: "locker"), logger: Logger(label: "locker", level: .error))
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let holding = Task {
                try await locker.withConnection { connection in
                    try connection.execute("BEGIN")
                    try connection.execute(
                        "SELECT 1 FROM wallet.accounts WHERE tenant_id = $1 AND account_id = $2 FOR UPDATE", [f.tenant, blocker])
                    locked.signal()
                    release.wait()
                    try connection.execute("COMMIT")
                }
            }
            await Task.detached { locked.wait() }.value
            let first = Task { try await coalescer.authorize(tenant: f.tenant, agent: blocker, f.command(1_000)) }
            try await waitUntil("the blocked agent's batch to start", timeout: .seconds(30)) { coalescer.statistics.batches >= 1 }
            let approved = Task { try await coalescer.authorize(tenant: f.tenant, agent: good, f.command(2_000)) }
            let broken = Task { try await coalescer.authorize(tenant: f.tenant, agent: bad, f.command(-5)) }
            try await waitUntil("both requests to queue behind it", timeout: .seconds(30)) { coalescer.waitingCount >= 2 }
            release.signal()
            try await holding.value
            await locker.close()
            _ = try await first.value
            #expect(try await approved.value.availableAfterMicros == 8_000)
            let error = await #expect(throws: RPCError.self) { try await broken.value }
            #expect(error?.code == .internal)
            #expect(error?.reason == "internal")
            #expect(error?.message == "ledger database error: check_violation")
            #expect(coalescer.statistics.batches == 2)
            #expect(coalescer.statistics.requests == 3)
            #expect(try await f.available(good) == 8_000)
            #expect(try await f.available(bad) == 10_000)
            #expect(try await f.audit() == [])
        }
    }

    /// Many agents authorized concurrently through group commit: each ends
    /// exactly drained, never overspent, with fewer transactions than requests.
    @Test func concurrentAuthorizationsOfManyAgentsShareTransactionsAndNeverOverspend() async throws {
        try await LedgerFixture.with("group_many") { f in
            var agents: [UUID] = []
            for _ in 0..<16 { agents.append(try await f.fundedAgent(20 * 1_000)) }
            let coalescer = AuthorizationCoalescer(ledger: f.ledger, maximumInFlight: 2)
            let frozenAgents = agents
            let approvals = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<32 {
                    group.addTask {
                        var approved = 0
                        for step in 0..<25 {
                            let agent = frozenAgents[(task + step) % frozenAgents.count]
                            if (try? await coalescer.authorize(tenant: f.tenant, agent: agent, f.command(1_000))) != nil { approved += 1 }
                        }
                        return approved
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(approvals == 16 * 20)
            for agent in agents { #expect(try await f.available(agent) == 0) }
            #expect(coalescer.statistics.requests == 32 * 25)
            #expect(coalescer.statistics.batches < 32 * 25)
            #expect(try await f.audit() == [])
        }
    }
}
