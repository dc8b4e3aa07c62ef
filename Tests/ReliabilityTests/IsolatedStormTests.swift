import Foundation
import PurserAPI
import PurserRPC
import PurserWallet
import Synchronization
import Testing

/// 64 clients authorizing against one agent at once, mixed with captures,
/// voids, expiring holds and refunds, over RPC to a real Wallet: the ledger
/// never overspends, balances add up to the cent, the audit stays clean, and
/// when the remaining money is then raced for, exactly what fits is approved.
@Suite struct IsolatedStormTests {
    static let amount: Int64 = 1_000
    static let fundedAuthorizations: Int64 = 1_000

    /// What the storm's clients did, added up.
    final class Totals: Sendable {
        let approved = Atomic<Int>(0)
        let captured = Atomic<Int64>(0)
        let refunded = Atomic<Int64>(0)
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

    @Test func stormOfAuthorizationsNeverOverspendsAndApprovesExactlyWhatFits() async throws {
        try await withWallet("rel_storm", settings: WalletSettings(sweepInterval: .milliseconds(200))) { harness in
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
                        if attempt % 8 == 0 {
                            var refund = RefundRequest()
                            refund.tenantID = world.tenantID
                            refund.holdID = hold.holdID
                            refund.amountMicros = Self.amount / 2
                            refund.reason = "storm"
                            let refunded = try await harness.call(
                                WalletMethods.refund, refund, token: world.providerToken, key: UUID().uuidString)
                            totals.refunded.add(refunded.refundedMicros, ordering: .relaxed)
                        }
                    case 1:
                        var void = VoidRequest()
                        void.tenantID = world.tenantID
                        void.holdID = hold.holdID
                        let voided = try await harness.call(WalletMethods.void, void, token: world.agentToken, key: UUID().uuidString)
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
        }
    }
}
