import Foundation
import PurserPostgres
import PurserTestSupport
@testable import PurserWallet
import Testing

/// The page query of `ListEntries` for one account reads only that account's
/// rows, however many entries the rest of the tenant has: checked on the plan
/// PostgreSQL really runs (EXPLAIN ANALYZE of the statement, planned as the
/// Ledger plans it). Isolated: the insert of the other entries holds back the
/// cluster-wide snapshot horizon that other suites' capture feeds wait on.
@Suite("Entry listing plan")
struct IsolatedEntryListingPlanTests {
    /// Entries of the rest of the tenant, all newer than the agent's own and
    /// all debiting the treasury: a plan that scans the tenant reads them all.
    static let otherEntries = 300_000
    static let agentEntries = 30

    @Test func oneAgentsPageReadsOnlyThatAgentsRows() async throws {
        let fixture = try await LedgerFixture.make("entries_plan")
        let agent = try await fixture.fundedAgent(1_000_000)
        for _ in 1..<Self.agentEntries {
            _ = try await fixture.ledger.fund(
                tenant: fixture.tenant, currency: fixture.currency, amountMicros: 1, reference: "wire", description: "",
                scope: LedgerFixture.scope("operator"))
            _ = try await fixture.ledger.allocate(
                tenant: fixture.tenant, currency: fixture.currency, agent: agent, amountMicros: 1, scope: LedgerFixture.scope("admin"))
        }
        let tenant = fixture.tenant, count = Self.otherEntries
        let plan = try await fixture.pool.withConnection { connection -> String in
            try connection.execute(
                """
                INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency, agent_id)
                SELECT $1::uuid, 'allocate', wallet.treasury_account($1::uuid), a, 1, 'USD', a
                  FROM (SELECT gen_random_uuid() AS a FROM generate_series(1, $2::integer)) AS others
                """, [tenant, count])
            try connection.executeScript("ANALYZE wallet.entries")
            try connection.executeScript("BEGIN; " + Ledger.accountEntriesPlanning)
            try connection.executeScript(
                "PREPARE entries_page(uuid, uuid, text, bigint, bigint, bigint, bigint, text) AS " + Ledger.accountEntriesPage)
            defer { try? connection.executeScript("DEALLOCATE entries_page; ROLLBACK") }
            // Past the five executions after which PostgreSQL may switch a
            // prepared statement to its generic plan.
            for _ in 0..<8 {
                _ = try connection.query(
                    "EXECUTE entries_page('\(tenant.uuidString)', '\(agent.uuidString)', NULL, NULL, NULL, NULL, 50, NULL)")
            }
            let result = try connection.query(
                "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE entries_page('\(tenant.uuidString)', '\(agent.uuidString)', NULL, NULL, NULL, NULL, 50, NULL)")
            return try result[0].decode(String.self, at: 0)
        }
        await fixture.close()
        try await TestDatabase.drop(url: fixture.url)

        let nodes = try Self.scanNodes(plan)
        let read = nodes.reduce(0) { $0 + $1.rowsRead }
        #expect(!nodes.contains { $0.type == "Seq Scan" }, "a sequential scan of wallet.entries: \(plan)")
        #expect(read <= 2 * Self.agentEntries, "the page read \(read) rows for an agent with \(Self.agentEntries): \(plan)")
    }

    struct ScanNode {
        var type: String
        var rowsRead: Int
    }

    /// Every scan node of an EXPLAIN (FORMAT JSON) plan with the rows it read:
    /// rows returned plus rows removed by its filter and recheck, per loop.
    static func scanNodes(_ json: String) throws -> [ScanNode] {
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let root = try #require((document as? [[String: Any]])?.first?["Plan"] as? [String: Any])
        var found: [ScanNode] = []
        func visit(_ node: [String: Any]) {
            let type = node["Node Type"] as? String ?? ""
            if type.hasSuffix("Scan"), node["Relation Name"] as? String == "entries" {
                let returned = (node["Actual Rows"] as? Int) ?? 0
                let removed = ((node["Rows Removed by Filter"] as? Int) ?? 0) + ((node["Rows Removed by Index Recheck"] as? Int) ?? 0)
                let loops = max(1, (node["Actual Loops"] as? Int) ?? 1)
                found.append(ScanNode(type: type, rowsRead: (returned + removed) * loops))
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { visit(child) }
        }
        visit(root)
        return found
    }
}
