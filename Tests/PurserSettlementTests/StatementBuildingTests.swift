import PurserAPI
import PurserKit
import PurserRPC
import Testing
@testable import PurserSettlement

@Suite struct StatementBuildingTests {
    static func line(day: Int64, agent: String, provider: String, category: String, currency: String = "USD",
                     capture: Int64, refund: Int64 = 0, count: Int64 = 1) -> StatementLine {
        var line = StatementLine()
        line.dayAtUs = UTCDay.micros * day
        line.agentID = agent
        line.providerID = provider
        line.category = category
        line.currency = currency
        line.captureMicros = capture
        line.refundMicros = refund
        line.netMicros = capture - refund
        line.entryCount = count
        return line
    }

    @Test func groupsSumExactlyPerAgentProviderCategoryDayAndCurrency() throws {
        let lines = [
            Self.line(day: 2, agent: "a1", provider: "p1", category: "search", capture: 1_000_001, refund: 1, count: 3),
            Self.line(day: 2, agent: "a2", provider: "p1", category: "llm", capture: 2_500_000),
            Self.line(day: 3, agent: "a1", provider: "p2", category: "llm", capture: 7, refund: 9, count: 2),
            Self.line(day: 3, agent: "a1", provider: "p2", category: "llm", currency: "USDC", capture: 5),
        ]
        let statement = try TenantStatement(tenantID: "t1", period: Period(startAtUs: 0, endAtUs: UTCDay.micros * 7), lines: lines.reversed())
        func net(_ totals: [StatementTotal], _ key: String, _ currency: String = "USD") -> Int64? {
            totals.first { $0.key == key && $0.currency == currency }?.netMicros
        }
        #expect(statement.totals.map(\.key) == ["USD", "USDC"])
        #expect(net(statement.totals, "USD") == Int64(3_499_998))
        #expect(net(statement.totals, "USDC", "USDC") == 5)
        #expect(net(statement.byAgent, "a1") == Int64(999_998))
        #expect(net(statement.byAgent, "a2") == 2_500_000)
        #expect(net(statement.byProvider, "p2") == -2)
        #expect(net(statement.byCategory, "llm") == Int64(2_499_998))
        #expect(net(statement.byDay, "1970-01-03") == 3_500_000)
        #expect(net(statement.byDay, "1970-01-04") == -2)
        #expect(statement.byAgent.first { $0.key == "a1" && $0.currency == "USD" }?.entryCount == 5)
        #expect(statement.lines.first?.agentID == "a1")
        #expect(statement.lines.map(\.dayAtUs) == statement.lines.map(\.dayAtUs).sorted())
    }

    @Test func everyGroupingAddsUpToTheTotals() throws {
        var lines: [StatementLine] = []
        for index in 0..<200 {
            lines.append(Self.line(
                day: Int64(index % 7), agent: "a\(index % 5)", provider: "p\(index % 3)", category: "c\(index % 4)",
                capture: Int64(index * 1_234_567 % 9_999_991), refund: Int64(index % 11 == 0 ? 333 : 0)))
        }
        let statement = try TenantStatement(tenantID: "t", period: Period(startAtUs: 0, endAtUs: UTCDay.micros * 7), lines: lines)
        let total = lines.reduce(0) { $0 + $1.netMicros }
        #expect(statement.totals.map(\.netMicros) == [total])
        for grouping in [statement.byAgent, statement.byProvider, statement.byCategory, statement.byDay] {
            #expect(grouping.reduce(0) { $0 + $1.netMicros } == total)
            #expect(grouping.reduce(0) { $0 + $1.entryCount } == 200)
        }
    }

    @Test func aGroupTotalPastInt64MaxIsRefusedAsOutOfRangeInsteadOfTrapping() {
        let lines = [
            Self.line(day: 2, agent: "a1", provider: "p1", category: "llm", capture: Int64.max - 1),
            Self.line(day: 3, agent: "a1", provider: "p1", category: "llm", capture: 2),
        ]
        let error = #expect(throws: RPCError.self) {
            _ = try TenantStatement(tenantID: "t", period: Period(startAtUs: 0, endAtUs: UTCDay.micros * 7), lines: lines)
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.reason == "total_out_of_range")
    }
}
