import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import Testing
@testable import PurserSettlement

@Suite struct SettlementRunTests {
    static let period = Ledger.period
    static let afterEnd = Ledger.period.endUs + 3_600_000_000

    struct Key: Hashable {
        let tenant: String
        let provider: String
        let currency: String
    }

    @Test func statementAndPayoutTotalsAreExactToTheMicro() async throws {
        try await SettlementDatabase.with("run_totals") { (database: SettlementDatabase) async throws in
            let ledger = Ledger.scenario(count: 600)
            try await database.seed(ledger.entries)

            let run = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            #expect(run.closed && run.changed)
            #expect(run.entriesSettled == 600)
            #expect(run.adjustmentsSettled == 0)

            var expected: [Key: Int64] = [:]
            for entry in ledger.entries {
                expected[Key(tenant: entry.tenantID, provider: entry.providerID, currency: entry.currency), default: 0] += entry.signedMicros
            }
            #expect(run.batches.count == expected.count)
            for batch in run.batches {
                #expect(batch.state == .closed)
                #expect(batch.netMicros == expected[Key(tenant: batch.tenantID, provider: batch.providerID, currency: batch.currency)])
                #expect(batch.captureMicros - batch.refundMicros == batch.netMicros)
                let full = try #require(try await database.store.batch(id: batch.id))
                #expect(full.lines.reduce(0) { $0 + $1.netMicros } == batch.netMicros)
                #expect(full.lines.reduce(0) { $0 + $1.entryCount } == batch.entryCount)
            }

            for tenant in ["tenant-a", "tenant-b", "tenant-c"] {
                let statement = try await database.store.statement(tenantID: tenant, period: Self.period)
                for currency in ["USD", "USDC"] {
                    let net = ledger.net(in: Self.period) { $0.tenantID == tenant && $0.currency == currency }
                    #expect(statement.totals.first { $0.key == currency }?.netMicros ?? 0 == net)
                    for agent in 0..<3 {
                        let id = "\(tenant)-agent-\(agent)"
                        let agentNet = ledger.net(in: Self.period) { $0.agentID == id && $0.currency == currency }
                        #expect(statement.byAgent.first { $0.key == id && $0.currency == currency }?.netMicros ?? 0 == agentNet)
                    }
                    for category in ["llm", "search", "data, \"premium\""] {
                        let categoryNet = ledger.net(in: Self.period) {
                            $0.tenantID == tenant && $0.category == category && $0.currency == currency
                        }
                        #expect(statement.byCategory.first { $0.key == category && $0.currency == currency }?.netMicros ?? 0 == categoryNet)
                    }
                }
                #expect(statement.byDay.map(\.key).allSatisfy { $0 == Self.period.start.isoDate })

                let csv = try #require(CSVReader.rows(ReportCSV.statement(statement)))
                #expect(csv.first == ReportCSV.statementColumns)
                #expect(csv.count == statement.lines.count + 1)
                let column = Dictionary(uniqueKeysWithValues: ReportCSV.statementColumns.enumerated().map { ($1, $0) })
                var csvNet: [String: Int64] = [:]
                for (row, line) in zip(csv.dropFirst(), statement.lines) {
                    let net = try #require(CSVReader.micros(row[column["net"]!]))
                    #expect(net == line.netMicros)
                    #expect(CSVReader.micros(row[column["captures"]!]) == line.captureMicros)
                    #expect(CSVReader.micros(row[column["refunds"]!]) == line.refundMicros)
                    #expect(row[column["category"]!] == line.category)
                    #expect(row[column["day"]!] == "\(Self.period.start.isoDate)T00:00:00Z")
                    csvNet[row[column["currency"]!], default: 0] += net
                }
                for total in statement.totals { #expect(csvNet[total.key] == total.netMicros) }
            }

            for provider in ["provider-x", "provider-y"] {
                let payout = try await database.store.payout(providerID: provider, period: Self.period)
                for currency in ["USD", "USDC"] {
                    let net = ledger.net(in: Self.period) { $0.providerID == provider && $0.currency == currency }
                    let total = payout.totals.first { $0.currency == currency }
                    #expect(total?.netMicros == net)
                    #expect(total?.dueMicros == net)
                    #expect(total?.paidMicros == 0)
                }
                let csv = try #require(CSVReader.rows(ReportCSV.payout(payout)))
                #expect(csv.first == ReportCSV.payoutColumns)
                let netColumn = try #require(ReportCSV.payoutColumns.firstIndex(of: "net"))
                let currencyColumn = try #require(ReportCSV.payoutColumns.firstIndex(of: "currency"))
                var csvNet: [String: Int64] = [:]
                for row in csv.dropFirst() { csvNet[row[currencyColumn], default: 0] += try #require(CSVReader.micros(row[netColumn])) }
                for total in payout.totals { #expect(csvNet[total.currency] == total.netMicros) }

                let json = try #require(try JSONSerialization.jsonObject(with: Data(ReportJSON.payout(payout))) as? [String: Any])
                let batches = try #require(json["batches"] as? [[String: Any]])
                let jsonNet = batches.reduce(Int64(0)) { sum, batch in
                    sum + ((batch["amounts"] as? [String: Any])?["net_micros"] as? NSNumber)!.int64Value
                }
                #expect(jsonNet == payout.totals.reduce(0) { $0 + $1.netMicros })
            }
        }
    }

    @Test func runningAPeriodTwiceChangesNothing() async throws {
        try await SettlementDatabase.with("run_twice") { (database: SettlementDatabase) async throws in
            try await database.seed(Ledger.scenario(count: 120).entries)

            let first = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            let firstBatches = try await Self.fullBatches(first, database)
            let second = try await database.store.run(Self.period, nowUs: Self.afterEnd + 86_400_000_000)
            #expect(!second.changed)
            #expect(second.entriesSettled == 0)
            #expect(second.batches == first.batches)
            #expect(try await Self.fullBatches(second, database) == firstBatches)
        }
    }

    @Test func anOpenPeriodGrowsUntilItEndsAndThenCloses() async throws {
        try await SettlementDatabase.with("run_open") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            let start = Self.period.startUs
            ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 1_000_000, at: start + 10)
            try await database.seed(ledger.entries)

            let open = try await database.store.run(Self.period, nowUs: start + 3_600_000_000)
            #expect(!open.closed)
            #expect(open.batches.map(\.state) == [.open])
            #expect(open.batches.first?.netMicros == 1_000_000)

            try await database.seed([ledger.add(.refund, tenant: "t", agent: "a", provider: "p", category: "llm", micros: 250_000, at: start + 20)])
            let closed = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            #expect(closed.closed && closed.changed)
            #expect(closed.batches.map(\.state) == [.closed])
            #expect(closed.batches.first?.netMicros == 750_000)
            #expect(closed.batches.first?.id == open.batches.first?.id)
        }
    }

    @Test func aLateEntryLandsInTheNextOpenBatchAsAnAdjustment() async throws {
        try await SettlementDatabase.with("run_late") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            let start = Self.period.startUs
            ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 3_000_000, at: start + 1)
            try await database.seed(ledger.entries)
            let next = Cadence.daily.next(after: Self.period)
            let first = try await database.store.run(Self.period, nowUs: next.startUs + 60_000_000)
            #expect(first.closed)
            let closedBatch = try #require(first.batches.first)

            let late = ledger.add(tenant: "t", agent: "a", provider: "p", category: "search", micros: 400_000, at: start + 5_000)
            try await database.seed([late])
            let rerun = try await database.store.run(Self.period, nowUs: next.startUs + 120_000_000)
            #expect(!rerun.changed)
            #expect(try await database.store.batch(id: closedBatch.id)?.netMicros == 3_000_000)

            let following = try await database.store.run(next, nowUs: next.startUs + 180_000_000)
            #expect(!following.closed)
            #expect(following.adjustmentsSettled == 1)
            let batch = try #require(following.batches.first)
            #expect(batch.state == .open)
            #expect(batch.period == next.wire)
            #expect(batch.adjustmentMicros == 400_000)
            #expect(batch.netMicros == 400_000)
            let lines = try #require(try await database.store.batch(id: batch.id)).lines
            #expect(lines.count == 1)
            #expect(lines.first?.adjustment == true)
            #expect(lines.first?.category == "search")
            #expect(lines.first?.dayAtUs == Self.period.startUs)
        }
    }

    @Test func aPeriodOverlappingASettledOneIsRefused() async throws {
        try await SettlementDatabase.with("run_overlap") { (database: SettlementDatabase) async throws in
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            let week = Cadence.weekly.period(containing: Self.period.startUs)
            await #expect(throws: RPCError.periodOverlaps(Self.period)) {
                try await database.store.run(week, nowUs: Self.afterEnd)
            }
        }
    }

    @Test func onlyClosedBatchesArePaidAndPaymentIsIdempotent() async throws {
        try await SettlementDatabase.with("run_paid") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 9, at: Self.period.startUs + 1)
            try await database.seed(ledger.entries)
            let open = try await database.store.run(Self.period, nowUs: Self.period.startUs + 10)
            let id = try #require(open.batches.first?.id)
            await #expect(throws: RPCError.batchNotClosed) {
                try await database.store.markPaid(batchID: id, reference: "wire-1", nowUs: 1)
            }
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            let paid = try #require(try await database.store.markPaid(batchID: id, reference: "wire-1", nowUs: Self.afterEnd + 5))
            #expect(paid.state == .paid)
            #expect(paid.externalReference == "wire-1")
            #expect(paid.paidAtUs == Self.afterEnd + 5)
            let replay = try #require(try await database.store.markPaid(batchID: id, reference: "wire-1", nowUs: Self.afterEnd + 99))
            #expect(replay.paidAtUs == Self.afterEnd + 5)
            await #expect(throws: RPCError.batchAlreadyPaid) {
                try await database.store.markPaid(batchID: id, reference: "wire-2", nowUs: 1)
            }
            #expect(try await database.store.markPaid(batchID: "00000000-0000-0000-0000-000000000000", reference: "x", nowUs: 1) == nil)
            #expect(try await database.store.markPaid(batchID: "not-a-uuid", reference: "x", nowUs: 1) == nil)
            let payout = try await database.store.payout(providerID: "p", period: Self.period)
            #expect(payout.totals.first?.paidMicros == 9)
            #expect(payout.totals.first?.dueMicros == 0)
        }
    }

    /// `settlement.batch_closed` and `settlement.batch_paid` are written by the
    /// transactions that close and pay the batch, once each (a repeated run or
    /// payment writes nothing).
    @Test func closingAndPayingABatchWriteOneEventEach() async throws {
        try await SettlementDatabase.with("run_events") { (database: SettlementDatabase) async throws in
            let tenant = UUID().uuidString.lowercased()
            var ledger = Ledger()
            ledger.add(tenant: tenant, agent: "a", provider: "p", category: "llm", micros: 9, at: Self.period.startUs + 1)
            try await database.seed(ledger.entries)
            func events() async throws -> [(type: String, data: String)] {
                try await database.pool.withConnection { connection in
                    try connection.query(
                        "SELECT type, data::text FROM settlement.event_outbox WHERE tenant_id = $1::uuid ORDER BY seq", [tenant]
                    ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
                }
            }
            let open = try await database.store.run(Self.period, nowUs: Self.period.startUs + 10)
            let id = try #require(open.batches.first?.id)
            #expect(try await events().isEmpty, "an open batch tells nobody")
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd)
            _ = try await database.store.run(Self.period, nowUs: Self.afterEnd + 1)
            #expect(try await events().map(\.type) == ["settlement.batch_closed"])
            _ = try await database.store.markPaid(batchID: id, reference: "wire-7", nowUs: Self.afterEnd + 5)
            _ = try await database.store.markPaid(batchID: id, reference: "wire-7", nowUs: Self.afterEnd + 6)
            let all = try await events()
            #expect(all.map(\.type) == ["settlement.batch_closed", "settlement.batch_paid"])
            #expect(all.allSatisfy { $0.data.contains(#""batch_id": "\#(id)""#) && $0.data.contains(#""net_micros": 9"#) })
            #expect(all[1].data.contains(#""external_reference": "wire-7""#), "\(all[1].data)")
        }
    }

    @Test func batchListsFilterAndPageWithoutGapsOrRepeats() async throws {
        try await SettlementDatabase.with("run_list") { (database: SettlementDatabase) async throws in
            let entries = Ledger.scenario(count: 300).entries + Ledger.scenario(count: 300, day: Ledger.day + 1, seed: 9).entries
            try await database.seed(entries)
            let expectedBatches = Set(entries.map { "\($0.tenantID)|\($0.providerID)|\($0.currency)|\(UTCDay(containing: $0.occurredAtUs).daysSinceEpoch)" })
            let second = Cadence.daily.next(after: Self.period)
            _ = try await database.store.run(Self.period, nowUs: second.endUs + 1)
            _ = try await database.store.run(second, nowUs: second.endUs + 1)

            var seen: [String] = []
            var token = ""
            repeat {
                let page = try await database.store.listBatches(BatchFilter(), pageSize: 3, pageToken: token)
                #expect(page.batches.count <= 3)
                seen += page.batches.map(\.id)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(Set(seen).count == seen.count)
            #expect(seen.count == expectedBatches.count)

            let filtered = try await database.store.listBatches(
                BatchFilter(tenantID: "tenant-b", providerID: "provider-x", period: second), pageSize: 0, pageToken: "")
            #expect(!filtered.batches.isEmpty)
            #expect(filtered.batches.allSatisfy { $0.tenantID == "tenant-b" && $0.providerID == "provider-x" && $0.period == second.wire })
            await #expect(throws: RPCError.invalidArgument("page_token is not valid")) {
                try await database.store.listBatches(BatchFilter(), pageSize: 1, pageToken: "garbage")
            }
        }
    }

    static func fullBatches(_ run: RunSettlementResponse, _ database: SettlementDatabase) async throws -> [Batch] {
        var batches: [Batch] = []
        for batch in run.batches { batches.append(try #require(try await database.store.batch(id: batch.id))) }
        return batches
    }
}
