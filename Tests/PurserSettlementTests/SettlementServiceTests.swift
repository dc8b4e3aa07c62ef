import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import Testing
@testable import PurserSettlement

@Suite struct SettlementServiceTests {
    static let period = Ledger.period

    /// A harness whose clock stands after `Ledger.period`, with a settled scenario.
    func settled(_ label: String) async throws -> (SettlementHarness, Ledger, RunSettlementResponse) {
        let harness = try await SettlementHarness.start(label, clockOffsetUs: 0)
        let ledger = Ledger.scenario(count: 180, seed: 21)
        harness.feed.append(ledger.entries)
        let run = try await harness.client().call(
            SettlementMethods.runSettlement, RunSettlementRequest(period: Self.period.wire), metadata: try harness.operatorMetadata)
        return (harness, ledger, run)
    }

    @Test func theOperatorSettlesAndReconcilesOverRPC() async throws {
        let (harness, ledger, run) = try await settled("rpc_settle")
        defer { Task { try await harness.stop() } }
        #expect(run.closed)
        #expect(run.entriesSettled == Int64(ledger.entries.count))
        let client = try harness.client()
        let again = try await client.call(
            SettlementMethods.runSettlement, RunSettlementRequest(period: Self.period.wire), metadata: try harness.operatorMetadata)
        #expect(!again.changed)
        #expect(again.batches == run.batches)

        let reconcile = try await client.call(
            SettlementMethods.reconcile, ReconcileRequest(period: Self.period.wire), metadata: try harness.operatorMetadata)
        #expect(reconcile.balanced)
        #expect(reconcile.ledgerSource == "feed")
        #expect(reconcile.lines.reduce(0) { $0 + $1.ledgerNetMicros } == ledger.net(in: Self.period))

        let batch = try #require(run.batches.first)
        let paid = try await client.call(
            SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "wire 2025/11/001"),
            metadata: try harness.operatorMetadata)
        #expect(paid.state == .paid)
        #expect(paid.lines.reduce(0) { $0 + $1.netMicros } == batch.netMicros)
        let refused = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "other"),
                metadata: try harness.operatorMetadata)
        }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.reason == "batch_already_paid")
    }

    @Test func tenantFinanceReadsItsOwnStatementButNotAnotherTenants() async throws {
        let (harness, ledger, _) = try await settled("rpc_tenant_access")
        defer { Task { try await harness.stop() } }
        let client = try harness.client()
        let finance = try harness.bearer(.finance, tenant: "tenant-a")

        let own = try await client.call(
            SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: "tenant-a", period: Self.period.wire),
            metadata: finance)
        #expect(own.totals.reduce(0) { $0 + $1.netMicros } == ledger.net(in: Self.period) { $0.tenantID == "tenant-a" })

        let other = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: "tenant-b", period: Self.period.wire),
                metadata: finance)
        }
        #expect(other?.code == .notFound)
        let export = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.exportReport,
                ExportReportRequest(kind: .statement, period: Self.period.wire, format: .csv, tenantID: "tenant-b"), metadata: finance)
        }
        #expect(export?.code == .notFound)

        let listed = try await client.call(SettlementMethods.listBatches, ListBatchesRequest(), metadata: finance)
        #expect(!listed.batches.isEmpty)
        #expect(listed.batches.allSatisfy { $0.tenantID == "tenant-a" })
        let foreignList = await rpcFailure {
            _ = try await client.call(SettlementMethods.listBatches, ListBatchesRequest(tenantID: "tenant-b"), metadata: finance)
        }
        #expect(foreignList?.code == .notFound)

        let all = try await client.call(SettlementMethods.listBatches, ListBatchesRequest(pageSize: 500), metadata: try harness.operatorMetadata)
        let foreignBatch = try #require(all.batches.first { $0.tenantID == "tenant-b" })
        let getForeign = await rpcFailure {
            _ = try await client.call(SettlementMethods.getBatch, GetBatchRequest(batchID: foreignBatch.id), metadata: finance)
        }
        #expect(getForeign?.code == .notFound)

        let payout = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: "provider-x", period: Self.period.wire),
                metadata: finance)
        }
        #expect(payout?.code == .permissionDenied)
        let run = await rpcFailure {
            _ = try await client.call(SettlementMethods.runSettlement, RunSettlementRequest(period: Self.period.wire), metadata: finance)
        }
        #expect(run?.code == .permissionDenied)
    }

    @Test func aProviderReadsOnlyItsOwnPayouts() async throws {
        let (harness, ledger, _) = try await settled("rpc_provider_access")
        defer { Task { try await harness.stop() } }
        let client = try harness.client()
        let provider = try harness.bearer(.provider, subject: "provider-x")

        let own = try await client.call(
            SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: "provider-x", period: Self.period.wire),
            metadata: provider)
        #expect(own.batches.allSatisfy { $0.providerID == "provider-x" })
        #expect(own.totals.reduce(0) { $0 + $1.netMicros } == ledger.net(in: Self.period) { $0.providerID == "provider-x" })

        let other = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: "provider-y", period: Self.period.wire),
                metadata: provider)
        }
        #expect(other?.code == .notFound)
        let otherExport = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.exportReport,
                ExportReportRequest(kind: .payout, period: Self.period.wire, format: .json, providerID: "provider-y"), metadata: provider)
        }
        #expect(otherExport?.code == .notFound)
        let statement = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: "tenant-a", period: Self.period.wire),
                metadata: provider)
        }
        #expect(statement?.code == .permissionDenied)

        let listed = try await client.call(SettlementMethods.listBatches, ListBatchesRequest(), metadata: provider)
        #expect(!listed.batches.isEmpty)
        #expect(listed.batches.allSatisfy { $0.providerID == "provider-x" })

        let export = try await client.call(
            SettlementMethods.exportReport,
            ExportReportRequest(kind: .payout, period: Self.period.wire, format: .csv, providerID: "provider-x"), metadata: provider)
        #expect(export.contentType == "text/csv; charset=utf-8")
        #expect(export.fileName == "payout-provider-x-\(Self.period.start.isoDate)-\(Self.period.end.isoDate).csv")
        let rows = try #require(CSVReader.rows(export.content))
        let netColumn = try #require(ReportCSV.payoutColumns.firstIndex(of: "net"))
        let csvNet = try rows.dropFirst().reduce(Int64(0)) { $0 + (try #require(CSVReader.micros($1[netColumn]))) }
        #expect(csvNet == own.totals.reduce(0) { $0 + $1.netMicros })
    }

    @Test func badRequestsAreRefusedWithAReason() async throws {
        let harness = try await SettlementHarness.start("rpc_invalid")
        defer { Task { try await harness.stop() } }
        let client = try harness.client()
        let operatorMetadata = try harness.operatorMetadata
        let misaligned = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.runSettlement, RunSettlementRequest(period: Period(startAtUs: 5, endAtUs: UTCDay.micros)),
                metadata: operatorMetadata)
        }
        #expect(misaligned?.code == .invalidArgument)
        #expect(misaligned?.reason == "period_invalid")
        let format = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.exportReport,
                ExportReportRequest(kind: .statement, period: Self.period.wire, format: .unspecified, tenantID: "t"),
                metadata: operatorMetadata)
        }
        #expect(format?.reason == "invalid_argument")
        let reference = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: UUID().uuidString.lowercased(), externalReference: ""),
                metadata: operatorMetadata)
        }
        #expect(reference?.code == .invalidArgument)
        let unknown = await rpcFailure {
            _ = try await client.call(
                SettlementMethods.getBatch, GetBatchRequest(batchID: UUID().uuidString.lowercased()), metadata: operatorMetadata)
        }
        #expect(unknown?.code == .notFound)
        let anonymous = await rpcFailure {
            _ = try await client.call(SettlementMethods.listBatches, ListBatchesRequest())
        }
        #expect(anonymous?.code == .unauthenticated)
        let agent = await rpcFailure {
            _ = try await client.call(SettlementMethods.listBatches, ListBatchesRequest(), metadata: try harness.bearer(.agent, tenant: "t"))
        }
        #expect(agent?.code == .permissionDenied)
    }
}
