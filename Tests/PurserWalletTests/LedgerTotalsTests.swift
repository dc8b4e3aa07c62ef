import Foundation
import PurserAPI
import PurserPostgres
import PurserRPC
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

@Suite struct LedgerTotalsTests {
    /// 2026-11-01T00:00:00Z and the day after, in Unix µs.
    static let startUs: Int64 = 1_793_491_200_000_000
    static let endUs: Int64 = startUs + 86_400_000_000

    /// One ledger entry planted with an exact creation time.
    struct Planted {
        let tenant: UUID
        let provider: UUID
        let currency: String
        let kind: String
        let amount: Int64
        let createdAtUs: Int64
    }

    static func plant(_ f: LedgerFixture, _ entries: [Planted]) async throws {
        for entry in entries {
            let provider: UUID? = entry.kind == "capture" || entry.kind == "refund" ? entry.provider : nil
            _ = try await f.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                                agent_id, provider_id, hold_id, created_at)
                    VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), $3, $4, gen_random_uuid(), $5, gen_random_uuid(),
                            wallet.at_us($6::bigint))
                    """, [entry.tenant, entry.kind, entry.amount, entry.currency, provider, entry.createdAtUs])
            }
        }
    }

    /// What the totals must be: captures and refunds created in the period, summed in Swift.
    static func expected(_ entries: [Planted], tenant: UUID? = nil) -> [PeriodTotal] {
        var totals: [String: PeriodTotal] = [:]
        for entry in entries where entry.createdAtUs >= startUs && entry.createdAtUs < endUs
            && (entry.kind == "capture" || entry.kind == "refund") && (tenant == nil || entry.tenant == tenant) {
            let key = "\(entry.tenant.uuidString.lowercased())|\(entry.provider.uuidString.lowercased())|\(entry.currency)"
            var total = totals[key] ?? PeriodTotal(
                tenantID: entry.tenant, providerID: entry.provider, currency: entry.currency, captureMicros: 0, refundMicros: 0)
            if entry.kind == "capture" { total.captureMicros += entry.amount } else { total.refundMicros += entry.amount }
            totals[key] = total
        }
        return totals.keys.sorted().compactMap { totals[$0] }
    }

    @Test func totalsSumExactlyTheCapturesAndRefundsCreatedInThePeriod() async throws {
        try await LedgerFixture.with("totals_exact") { f in
            let tenants = [UUID(), UUID()], providers = [UUID(), UUID(), UUID()], currencies = ["USD", "EUR"]
            var generator = SystemRandomNumberGenerator()
            var entries: [Planted] = []
            for _ in 0..<300 {
                entries.append(Planted(
                    tenant: tenants.randomElement(using: &generator) ?? f.tenant,
                    provider: providers.randomElement(using: &generator) ?? f.provider,
                    currency: currencies.randomElement(using: &generator) ?? "USD",
                    kind: ["capture", "capture", "refund", "fund", "allocate"].randomElement(using: &generator) ?? "capture",
                    amount: Int64.random(in: 1...50_000_000_000, using: &generator),
                    createdAtUs: Int64.random(in: (Self.startUs - 86_400_000_000)..<(Self.endUs + 86_400_000_000), using: &generator)))
            }
            // The bounds: the first µs counts, the µs before it and the end do not.
            let edge = (tenant: tenants[0], provider: providers[0])
            for (micros, at) in [(Int64(7), Self.startUs), (11, Self.endUs - 1), (1_000, Self.startUs - 1), (10_000, Self.endUs)] {
                entries.append(Planted(
                    tenant: edge.tenant, provider: edge.provider, currency: "CHF", kind: "capture", amount: micros, createdAtUs: at))
            }
            // Sums past 2^53 stay exact.
            for _ in 0..<2 {
                entries.append(Planted(
                    tenant: edge.tenant, provider: edge.provider, currency: "JPY", kind: "capture", amount: 4_503_599_627_370_497,
                    createdAtUs: Self.startUs + 1))
            }
            try await Self.plant(f, entries)

            let all = try await f.ledger.totals(fromUs: Self.startUs, toUs: Self.endUs, tenant: nil)
            #expect(all == Self.expected(entries))
            #expect(all.count > 10)
            let chf = try #require(all.first { $0.currency == "CHF" })
            #expect(chf.captureMicros == 18 && chf.refundMicros == 0)
            let jpy = try #require(all.first { $0.currency == "JPY" })
            #expect(jpy.captureMicros == 9_007_199_254_740_994)

            let one = try await f.ledger.totals(fromUs: Self.startUs, toUs: Self.endUs, tenant: tenants[1])
            #expect(one == Self.expected(entries, tenant: tenants[1]))
            #expect(one.allSatisfy { $0.tenantID == tenants[1] })
            #expect(try await f.ledger.totals(fromUs: Self.startUs, toUs: Self.endUs, tenant: UUID()).isEmpty)
        }
    }

    @Test func totalsComeFromTheLedgerFunctionsAndLeaveTransfersOut() async throws {
        try await LedgerFixture.with("totals_ledger") { f in
            let agent = try await f.fundedAgent(10_000_000)
            let charged = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(2_500_000, kind: .charge))
            let held = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_000_000))
            _ = try await f.ledger.capture(tenant: f.tenant, hold: held.holdID, amountMicros: 600_000, caller: .provider(f.provider),
                                           scope: LedgerFixture.scope())
            _ = try await f.ledger.refund(tenant: f.tenant, hold: charged.holdID, amountMicros: 300_001, reason: "", caller: .operator,
                                          scope: LedgerFixture.scope())
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(400_000))
            let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let totals = try await f.ledger.totals(fromUs: nowUs - 3_600_000_000, toUs: nowUs + 3_600_000_000, tenant: f.tenant)
            #expect(totals == [PeriodTotal(
                tenantID: f.tenant, providerID: f.provider, currency: "USD", captureMicros: 3_100_000, refundMicros: 300_001)])
            #expect(try await f.ledger.totals(fromUs: 0, toUs: nowUs - 3_600_000_000, tenant: nil).isEmpty)
        }
    }

    @Test func oneTenantsSumBeyondSixtyFourBitsLeavesEveryOtherTenantsTotalsAnswering() async throws {
        try await LedgerFixture.with("totals_overflow") { f in
            let other = UUID()
            let huge = Planted(
                tenant: f.tenant, provider: f.provider, currency: "USD", kind: "capture", amount: Int64.max / 2 + 1,
                createdAtUs: Self.startUs)
            let small = Planted(tenant: other, provider: f.provider, currency: "USD", kind: "capture", amount: 42, createdAtUs: Self.startUs)
            try await Self.plant(f, [huge, huge, small])
            let all = try await f.ledger.totals(fromUs: Self.startUs, toUs: Self.endUs, tenant: nil)
            #expect(all.count == 2)
            #expect(all.contains(PeriodTotal(tenantID: other, providerID: f.provider, currency: "USD", captureMicros: 42, refundMicros: 0)))
            #expect(all.contains(PeriodTotal(
                tenantID: f.tenant, providerID: f.provider, currency: "USD", captureMicros: 0, refundMicros: 0, outOfRange: true)))
            let offender = try await f.ledger.totals(fromUs: Self.startUs, toUs: Self.endUs, tenant: f.tenant)
            #expect(offender.map(\.outOfRange) == [true])
        }
    }

    @Test func theOperatorSettlementAndFinanceOfTheTenantReadTotalsOverRPC() async throws {
        try await withWallet("rpc_totals") { h in
            let operatorToken = try await h.operatorToken()
            let mine = try await h.world("totals-mine", operatorToken: operatorToken)
            let theirs = try await h.world("totals-theirs", operatorToken: operatorToken)
            try await h.fund(mine, agentMicros: 10_000_000)
            try await h.fund(theirs, agentMicros: 10_000_000)
            var holds: [String] = []
            for (world, micros) in [(mine, Int64(1_234_567)), (mine, 765_433), (theirs, 42)] {
                var charge = ChargeRequest()
                charge.amountMicros = micros
                charge.providerID = world.providerID
                holds.append(try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: UUID().uuidString).holdID)
            }
            var refund = RefundRequest()
            refund.tenantID = mine.tenantID
            refund.holdID = holds[0]
            refund.amountMicros = 100_001
            _ = try await h.call(WalletMethods.refund, refund, token: mine.providerToken, key: UUID().uuidString)

            let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let period = LedgerTotalsRequest(startAtUs: nowUs - 3_600_000_000, endAtUs: nowUs + 3_600_000_000)
            var mineLine = LedgerTotalsLine()
            mineLine.tenantID = mine.tenantID
            mineLine.providerID = mine.providerID
            mineLine.currency = "USD"
            mineLine.captureMicros = 2_000_000
            mineLine.refundMicros = 100_001
            var theirsLine = LedgerTotalsLine()
            theirsLine.tenantID = theirs.tenantID
            theirsLine.providerID = theirs.providerID
            theirsLine.currency = "USD"
            theirsLine.captureMicros = 42
            let both = [mineLine, theirsLine].sorted { $0.tenantID < $1.tenantID }

            let byOperator = try await h.call(WalletMethods.ledgerTotals, period, token: operatorToken)
            #expect(byOperator.lines == both)
            #expect(byOperator.startAtUs == period.startAtUs && byOperator.endAtUs == period.endAtUs)
            let bySettlement = try await h.call(WalletMethods.ledgerTotals, period, service: "settlement")
            #expect(bySettlement.lines == both)
            var theirsOnly = period
            theirsOnly.tenantID = theirs.tenantID
            #expect(try await h.call(WalletMethods.ledgerTotals, theirsOnly, token: operatorToken).lines == [theirsLine])
            #expect(try await h.call(WalletMethods.ledgerTotals, period, token: mine.financeToken).lines == [mineLine])
            let earlier = LedgerTotalsRequest(startAtUs: 0, endAtUs: nowUs - 3_600_000_000)
            #expect(try await h.call(WalletMethods.ledgerTotals, earlier, token: operatorToken).lines.isEmpty)

            let foreign = await rpcError {
                _ = try await h.call(WalletMethods.ledgerTotals, theirsOnly, token: mine.financeToken)
            }
            #expect(foreign?.code == .notFound)
            #expect(foreign?.reason == "not_found")
            let byAdmin = await rpcError { _ = try await h.call(WalletMethods.ledgerTotals, period, token: mine.adminToken) }
            #expect(byAdmin?.code == .permissionDenied)
            #expect(byAdmin?.reason == "permission_denied")
            let byPolicy = await rpcError { _ = try await h.call(WalletMethods.ledgerTotals, period, service: "policy") }
            #expect(byPolicy?.code == .permissionDenied)
            #expect(byPolicy?.reason == "permission_denied")
        }
    }

    @Test func malformedPeriodsAreRejectedNamingTheField() async throws {
        try await withWallet("rpc_totals_invalid") { h in
            let cases: [(start: Int64, end: Int64, field: String)] = [
                (-1, 10, "start_at_us"), (10, 10, "end_at_us"), (10, 9, "end_at_us"), (0, Ledger.latestInstantUs + 1, "end_at_us"),
            ]
            for (start, end, field) in cases {
                let failure = await rpcError {
                    _ = try await h.call(
                        WalletMethods.ledgerTotals, LedgerTotalsRequest(startAtUs: start, endAtUs: end), service: "settlement")
                }
                #expect(failure?.code == .invalidArgument, "[\(start), \(end)): \(String(describing: failure))")
                #expect(failure?.message.hasPrefix(field) == true, "[\(start), \(end)): \(String(describing: failure))")
            }
            let latest = LedgerTotalsRequest(startAtUs: 0, endAtUs: Ledger.latestInstantUs)
            let untilLatest = try await h.call(WalletMethods.ledgerTotals, latest, service: "settlement")
            #expect(untilLatest.lines.isEmpty)
        }
    }
}
