import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserSettlement
import PurserWallet
import Synchronization
import Testing

/// 64 clients authorizing against one agent at once, mixed with captures,
/// voids, expiring holds and refunds, over RPC to a real Wallet: the ledger
/// never overspends, balances add up to the cent, the audit stays clean, and
/// when the remaining money is then raced for, exactly what fits is approved.
/// A real Settlement copies the capture feed all along; afterwards it settles
/// the storm's days, reconciles them with the ledger without a difference,
/// and pays the provider exactly the captures less the refunds.
@Suite struct IsolatedStormTests {
    static let amount: Int64 = 1_000
    static let fundedAuthorizations: Int64 = 1_000
    static let dayUs: Int64 = 86_400_000_000

    /// What the storm's clients did, added up.
    final class Totals: Sendable {
        let approved = Atomic<Int>(0)
        let captured = Atomic<Int64>(0)
        let captures = Atomic<Int64>(0)
        let refunded = Atomic<Int64>(0)
        let refunds = Atomic<Int64>(0)
        let voided = Atomic<Int64>(0)
        let expiring = Atomic<Int>(0)
        let keptOpen = Atomic<Int>(0)
        let refusals = Mutex<[String: Int]>([:])
        let failures = Mutex<[String]>([])

        func refused(_ error: any Error) {
            let reason = (error as? RPCError).map { $0.reason ?? "\($0.code)" } ?? "\(error)"
            refusals.withLock { $0[reason, default: 0] += 1 }
        }
    }

    /// Runs `clients` concurrent clients, each calling `body(client, attempt)` `attempts` times.
    static func race(clients: Int, attempts: Int, _ body: @escaping @Sendable (Int, Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for attempt in 0..<attempts { await body(client, attempt) }
                }
            }
        }
    }

    @Test func stormNeverOverspendsApprovesExactlyWhatFitsAndReconcilesWithSettlement() async throws {
        // Settlement's clock runs two days ahead, so the days of the storm have ended for it and can be closed.
        let settlementClock = SettlementClock.shifted(by: 2 * Self.dayUs)
        // The storm runs alone (Isolated), so its Wallet keeps the pool a deployment has.
        try await withWallet(
            "rel_storm", settings: WalletSettings(sweepInterval: .milliseconds(200)), settlementClock: settlementClock,
            walletPoolSize: 8
        ) { harness in
            let stormStartUs = Self.nowUs()
            let world = try await harness.world("storm", operatorToken: try await harness.operatorToken())
            let funded = Self.amount * Self.fundedAuthorizations
            try await harness.fund(world, agentMicros: funded)
            let totals = Totals()
            let clock = ContinuousClock()
            let started = clock.now

            await Self.race(clients: 64, attempts: 200) { client, attempt in
                var request = AuthorizeRequest()
                request.amountMicros = Self.amount
                request.providerID = world.providerID
                request.holdTTLSeconds = attempt % 4 == 2 ? 1 : 0
                let hold: AuthorizeResponse
                do {
                    hold = try await harness.call(WalletMethods.authorize, request, token: world.agentToken, key: UUID().uuidString)
                } catch {
                    return totals.refused(error)
                }
                totals.approved.add(1, ordering: .relaxed)
                do {
                    switch attempt % 4 {
                    case 0:
                        var capture = CaptureRequest()
                        capture.tenantID = world.tenantID
                        capture.holdID = hold.holdID
                        let captured = try await harness.call(
                            WalletMethods.capture, capture, token: world.providerToken, key: UUID().uuidString)
                        totals.captured.add(captured.capturedMicros, ordering: .relaxed)
                        totals.captures.add(1, ordering: .relaxed)
                        if attempt % 8 == 0 {
                            var refund = RefundRequest()
                            refund.tenantID = world.tenantID
                            refund.holdID = hold.holdID
                            refund.amountMicros = Self.amount / 2
                            refund.reason = "storm"
                            let refunded = try await harness.call(
                                WalletMethods.refund, refund, token: world.providerToken, key: UUID().uuidString)
                            totals.refunded.add(refunded.refundedMicros, ordering: .relaxed)
                            totals.refunds.add(1, ordering: .relaxed)
                        }
                    case 1:
                        var void = VoidRequest()
                        void.tenantID = world.tenantID
                        void.holdID = hold.holdID
                        let voided = try await harness.call(WalletMethods.void, void, token: world.providerToken, key: UUID().uuidString)
                        totals.voided.add(voided.releasedMicros, ordering: .relaxed)
                    case 2:
                        totals.expiring.add(1, ordering: .relaxed)
                    default:
                        totals.keptOpen.add(1, ordering: .relaxed)
                    }
                } catch {
                    totals.failures.withLock { $0.append("client \(client) attempt \(attempt): \(error)") }
                }
            }
            let stormTime = clock.now - started

            // Let every 1-second hold expire and be swept.
            let expectedHeld = Int64(totals.keptOpen.load(ordering: .relaxed)) * Self.amount
            var balance = try await harness.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            let settleBy = clock.now.advanced(by: .seconds(10))
            while balance.heldMicros != expectedHeld && clock.now < settleBy {
                try await Task.sleep(for: .milliseconds(200))
                balance = try await harness.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            }
            let captured = totals.captured.load(ordering: .relaxed)
            let refunded = totals.refunded.load(ordering: .relaxed)
            let approved = totals.approved.load(ordering: .relaxed)
            let refusals = totals.refusals.withLock { $0 }
            print("storm: 64 x 200 in \(stormTime): \(approved) approved, refusals \(refusals), captured \(captured), refunded \(refunded), voided \(totals.voided.load(ordering: .relaxed)), expiring holds \(totals.expiring.load(ordering: .relaxed)), open \(totals.keptOpen.load(ordering: .relaxed))")
            #expect(totals.failures.withLock { $0 }.isEmpty, "\(totals.failures.withLock { $0.prefix(3) })")
            #expect(Set(refusals.keys).isSubset(of: ["insufficient_funds"]), "refused for other reasons: \(refusals)")
            #expect(approved >= Int(Self.fundedAuthorizations), "fewer approvals than the money covers")
            #expect(approved + refusals.values.reduce(0, +) == 64 * 200)
            #expect(balance.balanceMicros == funded - captured + refunded)
            #expect(balance.heldMicros == expectedHeld)
            #expect(balance.availableMicros == balance.balanceMicros - balance.heldMicros)
            #expect(balance.availableMicros >= 0)

            // More money arrives and is raced for: exactly the authorizations that fit are approved.
            try await harness.fund(world, agentMicros: 400 * Self.amount + Self.amount / 2)
            balance = try await harness.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            let fits = Int(balance.availableMicros / Self.amount)
            #expect(fits >= 400)
            let second = Totals()
            await Self.race(clients: 64, attempts: fits / 64 + 8) { _, _ in
                do {
                    _ = try await harness.authorize(world, micros: Self.amount)
                    second.approved.add(1, ordering: .relaxed)
                } catch {
                    second.refused(error)
                }
            }
            let after = try await harness.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            print("storm: remaining \(balance.availableMicros) µ-units raced for by 64 clients: \(second.approved.load(ordering: .relaxed)) approved of \(fits) that fit")
            #expect(second.approved.load(ordering: .relaxed) == fits)
            #expect(Set(second.refusals.withLock { $0 }.keys).isSubset(of: ["insufficient_funds"]))
            #expect(after.availableMicros == balance.availableMicros - Int64(fits) * Self.amount)

            let audit = try await harness.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken)
            #expect(audit.clean && audit.discrepancies.isEmpty, "\(audit.discrepancies)")

            let stormEndUs = Self.nowUs()
            let days = Period(
                startAtUs: stormStartUs - stormStartUs % Self.dayUs, endAtUs: stormEndUs - stormEndUs % Self.dayUs + Self.dayUs)
            try await Self.settleAndReconcile(
                harness, world, days: days, captured: captured, captures: totals.captures.load(ordering: .relaxed),
                refunded: refunded, refunds: totals.refunds.load(ordering: .relaxed))
        }
    }

    /// Lets Settlement copy the rest of the feed, closes `days`, and proves
    /// that Reconcile finds no difference, that the batch, the payout (before
    /// and after it is paid), its CSV export and the tenant's statement all
    /// hold exactly the storm's captures and refunds.
    static func settleAndReconcile(
        _ harness: WalletHarness, _ world: WalletHarness.World, days: Period, captured: Int64, captures: Int64,
        refunded: Int64, refunds: Int64
    ) async throws {
        let settlement = try #require(harness.settlement)
        let net = captured - refunded
        let clock = ContinuousClock()
        // The feed holds an entry back while an older transaction anywhere on
        // the server still runs, so copying is repeated until every entry arrived.
        var started = clock.now
        var copied = 0
        var recorded = try await Self.statement(harness, world, days: days)
        while recorded.totals.first?.entryCount != captures + refunds && clock.now < started.advanced(by: .seconds(20)) {
            copied += try await settlement.service.consumer.catchUp()
            recorded = try await Self.statement(harness, world, days: days)
        }
        let catchUpTime = clock.now - started

        started = clock.now
        let run = try await harness.settlement(
            SettlementMethods.runSettlement, RunSettlementRequest(period: days), token: world.operatorToken)
        let runTime = clock.now - started
        #expect(run.closed)
        #expect(run.entriesSettled == captures + refunds)
        #expect(run.adjustmentsSettled == 0)
        let batch = try #require(run.batches.first)
        #expect(run.batches.count == 1)
        #expect(batch.tenantID == world.tenantID && batch.providerID == world.providerID)
        #expect(batch.state == .closed)
        #expect(batch.captureMicros == captured && batch.refundMicros == refunded && batch.netMicros == net)
        #expect(batch.entryCount == captures + refunds)

        started = clock.now
        let reconciled = try await harness.settlement(
            SettlementMethods.reconcile, ReconcileRequest(period: days), token: world.operatorToken)
        let reconcileTime = clock.now - started
        #expect(reconciled.balanced && reconciled.discrepancies.isEmpty, "\(reconciled.discrepancies)")
        #expect(reconciled.ledgerSource == "wallet")
        let line = try #require(reconciled.lines.first)
        #expect(reconciled.lines.count == 1)
        #expect(line.tenantID == world.tenantID && line.providerID == world.providerID)
        #expect(line.ledgerNetMicros == net && line.recordedNetMicros == net)
        #expect(line.batchedNetMicros == net && line.unbatchedNetMicros == 0)

        let due = try await harness.settlement(
            SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: world.providerID, period: days),
            token: world.providerToken)
        #expect(due.totals.map(\.netMicros) == [net] && due.totals.map(\.dueMicros) == [net])
        #expect(due.totals.map(\.paidMicros) == [0])
        #expect(due.batches.flatMap(\.lines).reduce(0) { $0 + $1.netMicros } == net)

        let paid = try await harness.settlement(
            SettlementMethods.markBatchPaid, MarkBatchPaidRequest(batchID: batch.id, externalReference: "storm-payout"),
            token: world.operatorToken)
        #expect(paid.state == .paid)
        let settled = try await harness.settlement(
            SettlementMethods.getProviderPayout, GetProviderPayoutRequest(providerID: world.providerID, period: days),
            token: world.providerToken)
        #expect(settled.totals.map(\.paidMicros) == [net] && settled.totals.map(\.dueMicros) == [0])

        let export = try await harness.settlement(
            SettlementMethods.exportReport,
            ExportReportRequest(kind: .payout, period: days, format: .csv, providerID: world.providerID),
            token: world.providerToken)
        let rows = String(decoding: export.content, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst()
        let netColumn = try #require(ReportCSV.payoutColumns.firstIndex(of: "net"))
        let exported = rows.map { row in
            row.split(separator: ",", omittingEmptySubsequences: false).dropFirst(netColumn).first.flatMap(Self.micros)
        }
        #expect(exported.count == settled.batches.flatMap(\.lines).count)
        #expect(!exported.contains(nil), "unreadable net amounts in \(rows.prefix(3))")
        #expect(exported.reduce(0) { $0 + ($1 ?? 0) } == net)

        let statement = try await Self.statement(harness, world, days: days)
        let total = try #require(statement.totals.first)
        #expect(statement.totals.count == 1)
        #expect(total.captureMicros == captured && total.refundMicros == refunded && total.netMicros == net)
        #expect(total.entryCount == captures + refunds)
        #expect(statement.byProvider.map(\.key) == [world.providerID])
        print("storm settlement: \(captures) captures and \(refunds) refunds (\(net) µ-units net); feed tail copied in \(catchUpTime) (\(copied) entries left after the storm), period closed in \(runTime), reconciled in \(reconcileTime)")
    }

    /// The tenant's statement of `days`, as its finance key sees it.
    static func statement(_ harness: WalletHarness, _ world: WalletHarness.World, days: Period) async throws -> TenantStatement {
        try await harness.settlement(
            SettlementMethods.getTenantStatement, GetTenantStatementRequest(tenantID: world.tenantID, period: days),
            token: world.financeToken)
    }

    /// Microseconds since 1970 on the wall clock.
    static func nowUs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Micro-units of a 6-place decimal amount such as `-12.500000`, or nil.
    static func micros(_ text: Substring) -> Int64? {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 6, let whole = Int64(parts[0]), let fraction = Int64(parts[1]),
            whole >= 0, fraction >= 0
        else { return nil }
        let value = whole * 1_000_000 + fraction
        return negative ? -value : value
    }
}
