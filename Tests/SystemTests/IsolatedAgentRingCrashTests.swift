import Foundation
import Glibc
import PurserAPI
import PurserClient
import PurserRPC
import Synchronization
import Testing

/// Agents pay their two neighbours in a ring, concurrently, over purser/1
/// against the real executables (`Charge` to an agent, each with its own
/// idempotency key): agents of one tenant (the payee by id), or agents of two
/// tenants sitting alternately, so each pays its neighbours in the other
/// tenant (`handle@other-slug`). The real `purser-wallet` is killed with
/// SIGKILL mid-run and started again; every payment that got no answer is sent
/// again with the same key and body until it has one. Then every agent's
/// balance is the plan computed from the answered payments to the micro, the
/// tenants together hold what they were given, each tenant's payable towards
/// the other is what its agents paid the other's, every ledger audits clean,
/// and replaying every payment with its key answers the same entry and moves nothing.
@Suite(.serialized) struct IsolatedAgentRingCrashTests {
    static let agents = 32
    /// Each agent runs one client per neighbour: 64 concurrent payers, 200 payments per agent.
    static let paymentsPerNeighbour = 100
    static let allocation: Int64 = 10_000_000
    /// Answers seen before the Wallet is killed.
    static let killAfterAnswers = 1_500
    /// How long the Wallet stays dead.
    static let downtime: Duration = .seconds(1)

    /// One payment as its payer sees it: key and body fixed for every retry.
    struct RingPayment: Sendable {
        let payer: Int
        let payee: Int
        let key = UUID().uuidString.lowercased()
        let body: ChargeRequest
        private(set) var attempts = 0
        private(set) var retryableFailures = 0
        /// The transfer entry, or the refusal's reason.
        private(set) var entryID: String?
        private(set) var refusal: String?

        /// A payment to `payee`, named by its id, or as `handle@tenant-slug` when `byName`.
        init(payer: Int, payee: Int, payeeID: String, payeeName: String, byName: Bool, amount: Int64) {
            self.payer = payer
            self.payee = payee
            var body = ChargeRequest()
            body.amountMicros = amount
            if byName { body.payeeAgent = payeeName } else { body.payeeAgentID = payeeID }
            body.description = "ring \(payer) to \(payee)"
            self.body = body
        }

        var answered: Bool { entryID != nil || refusal != nil }

        /// Sends the payment until it is answered or `deadline` passes; an
        /// UNAVAILABLE or DEADLINE_EXCEEDED (not processed, or the answer was
        /// lost) is retried with the same key and body.
        mutating func settle(on wallet: WalletAPI, until deadline: ContinuousClock.Instant) async {
            let clock = ContinuousClock()
            while !answered && clock.now < deadline && !Task.isCancelled {
                attempts += 1
                do {
                    entryID = try await wallet.charge(body, idempotencyKey: key).entryID
                } catch {
                    guard error.code == .unavailable || error.code == .deadlineExceeded else {
                        refusal = "\(error.code)/\(error.reason ?? "")"
                        break
                    }
                    retryableFailures += 1
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// One tenant, or two whose agents pay each other across tenants.
    @Test(.timeLimit(.minutes(4)), arguments: [1, 2])
    func walletKilledMidRingLosesNoPaymentAndAppliesEveryRetryOnce(tenants: Int) async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            try await ring(deployment, tenants: tenants)
        } catch {
            Issue.record("\(error)\n\(deployment.logs())")
        }
        await deployment.stop()
    }

    /// The amount of payment `index` from `payer`: 1,000 to 13,000 micros, never a round figure twice in a row.
    static func amount(payer: Int, index: Int) -> Int64 {
        Int64(1_000 + ((payer * 31 + index * 17) % 13) * 1_000 + (index % 7) * 11)
    }

    func ring(_ deployment: Deployment, tenants: Int) async throws {
        // Ring position p is agent p / tenants of tenant p % tenants: with two, every neighbour is of the other tenant.
        var worlds: [Deployment.World] = []
        for _ in 0..<tenants {
            worlds.append(try await deployment.makeWorld(
                agents: Self.agents / tenants, allocation: Self.allocation, operatorToken: worlds.first?.operatorToken,
                acceptsOtherTenants: tenants > 1))
        }
        let ring = (0..<Self.agents).map { worlds[$0 % tenants].agents[$0 / tenants] }
        let names = (0..<Self.agents).map { "agent-\($0 / tenants)@\(worlds[$0 % tenants].tenantSlug)" }
        let ids = ring.map(\.id)
        let clients = ring.map { deployment.client(.token($0.token), timeout: .seconds(5)) }
        defer { clients.forEach { $0.close() } }
        let wallets = try clients.map { try $0.wallet() }

        let answers = Counter()
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started.advanced(by: .seconds(120))
        async let run: [RingPayment] = withTaskGroup(of: [RingPayment].self) { group in
            for payer in 0..<Self.agents {
                for payee in [(payer + 1) % Self.agents, (payer + Self.agents - 1) % Self.agents] {
                    let wallet = wallets[payer]
                    let payeeName = names[payee], payeeID = ids[payee]
                    group.addTask {
                        var done: [RingPayment] = []
                        for index in 0..<Self.paymentsPerNeighbour {
                            var payment = RingPayment(
                                payer: payer, payee: payee, payeeID: payeeID, payeeName: payeeName, byName: tenants > 1, amount: Self.amount(payer: payer, index: index * 2 + payee % 2))
                            await payment.settle(on: wallet, until: deadline)
                            if payment.answered { answers.value.add(1, ordering: .relaxed) }
                            done.append(payment)
                        }
                        return done
                    }
                }
            }
            var all: [RingPayment] = []
            for await done in group { all += done }
            return all
        }

        while answers.value.load(ordering: .relaxed) < Self.killAfterAnswers && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        let answeredBeforeKill = answers.value.load(ordering: .relaxed)
        let exit = try await deployment.kill(service: "wallet", signal: SIGKILL)
        #expect(exit.bySignal && exit.status == SIGKILL, "the Wallet died of SIGKILL")
        // Down longer than the client's transparent reconnects (about 0.3 s), so payers see UNAVAILABLE and retry.
        try await Task.sleep(for: Self.downtime)
        try deployment.restart(service: "wallet")
        let toServing = try await deployment.waitUntilServing(service: "wallet")
        let payments = await run
        let runTime = clock.now - started

        // Every payment was answered; none was refused (every agent holds far more than it ever pays).
        #expect(payments.count == Self.agents * 2 * Self.paymentsPerNeighbour)
        #expect(payments.allSatisfy { $0.answered }, "\(payments.filter { !$0.answered }.count) payments never answered")
        let refusals = payments.compactMap(\.refusal)
        #expect(refusals.isEmpty, "refused: \(Set(refusals))")
        let retried = payments.filter { $0.retryableFailures > 0 }
        let clientRetries = clients.map(\.statistics).reduce(0) { $0 + $1.idempotentRetries + $1.transparentRetries }
        #expect(!retried.isEmpty, "no payer saw the Wallet down and sent its payment again")
        let entries = payments.compactMap(\.entryID)
        #expect(Set(entries).count == entries.count, "two payments were answered with the same entry")

        // The plan: each agent's allocation, less what it paid, plus what it was paid, for the answered payments.
        var plan = [Int64](repeating: Self.allocation, count: Self.agents)
        for payment in payments where payment.entryID != nil {
            plan[payment.payer] -= payment.body.amountMicros
            plan[payment.payee] += payment.body.amountMicros
        }
        let admins = worlds.map { deployment.client(.token($0.adminToken), retry: RetryPolicy()) }
        defer { admins.forEach { $0.close() } }
        let adminWallets = try admins.map { try $0.wallet() }
        func balances() async throws -> [Int64] {
            var found: [Int64] = []
            for (position, id) in ids.enumerated() {
                var request = GetBalanceRequest()
                request.tenantID = worlds[position % tenants].tenantID
                request.agentID = id
                let balance = try await adminWallets[position % tenants].balance(request)
                #expect(balance.heldMicros == 0, "a Charge leaves no hold")
                found.append(balance.balanceMicros)
            }
            return found
        }
        let afterRun = try await balances()
        #expect(afterRun == plan, "balances \(afterRun) differ from the plan \(plan)")
        #expect(afterRun.reduce(0, +) == Self.allocation * Int64(Self.agents), "the tenants' total changed")

        // With two tenants, each one's payable towards the other is what its agents paid the other's.
        var paid = [Int64](repeating: 0, count: tenants)
        for payment in payments where payment.entryID != nil { paid[payment.payer % tenants] += payment.body.amountMicros }
        var records = 0
        for (index, world) in worlds.enumerated() {
            let probe = WalletProbe(databaseURL: deployment.databaseURL, tenantID: world.tenantID)
            if tenants == 2 {
                let owed = try await probe.payable(towards: worlds[1 - index].tenantID)
                #expect(owed == paid[index], "tenant \(index) owes \(owed), its agents paid \(paid[index])")
            }
            records += try await probe.idempotencyRecords(method: "Charge")
            await probe.close()
        }
        #expect(records == payments.count, "\(records) idempotency records for \(payments.count) payments")

        let finances = worlds.map { deployment.client(.token($0.financeToken), retry: RetryPolicy()) }
        defer { finances.forEach { $0.close() } }
        for (finance, world) in zip(finances, worlds) {
            let audit = try await finance.wallet().audit(tenantID: world.tenantID)
            #expect(audit.clean && audit.discrepancies.isEmpty, "\(audit.discrepancies)")
        }

        // Replaying every payment with its key and body answers the same entry and moves nothing.
        let replayers = ring.map { deployment.client(.token($0.token), retry: RetryPolicy()) }
        defer { replayers.forEach { $0.close() } }
        let replayWallets = try replayers.map { try $0.wallet() }
        var mismatches: [String] = []
        for payment in payments {
            let replayed = try await replayWallets[payment.payer].charge(payment.body, idempotencyKey: payment.key)
            if replayed.entryID != payment.entryID { mismatches.append("\(payment.key): \(payment.entryID ?? "-") then \(replayed.entryID)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(try await balances() == afterRun, "a replay moved money")
        for (finance, world) in zip(finances, worlds) {
            let audited = try await finance.wallet().audit(tenantID: world.tenantID)
            #expect(audited.clean, "\(audited.discrepancies)")
        }

        // Settlement: today's run nets the two tenants' payments into one tenant batch, and reconciles clean.
        let settlementClient = deployment.client(.token(worlds[0].operatorToken), retry: RetryPolicy())
        defer { settlementClient.close() }
        let settlement = try settlementClient.settlement()
        let day: Int64 = 86_400_000_000
        let startUs = Int64(Date().timeIntervalSince1970 * 1_000_000) / day * day
        let period = Period(startAtUs: startUs, endAtUs: startUs + day)
        let settled = try await settlement.run(period: period)
        let reconciled = try await settlement.reconcile(period: period)
        #expect(reconciled.balanced, "reconciliation: \(reconciled.discrepancies)")
        if tenants == 2 {
            #expect(settled.tenantBatches.count == 1, "\(settled.tenantBatches)")
            let ids = worlds.map(\.tenantID)
            for batch in settled.tenantBatches {
                let low = ids.firstIndex(of: batch.tenantLowID) ?? -1, high = ids.firstIndex(of: batch.tenantHighID) ?? -1
                #expect(low >= 0 && high >= 0 && batch.lowToHighMicros == paid[low] && batch.highToLowMicros == paid[high], "\(batch)")
                #expect(batch.netMicros == abs(paid[0] - paid[1]) && batch.transferCount == Int64(entries.count), "\(batch)")
            }
        }

        let attempts = payments.reduce(0) { $0 + $1.attempts }
        print("""
            ring crash, \(tenants) tenant(s): \(payments.count) agent-to-agent charges by \(Self.agents * 2) clients (\(Self.agents) agents paying both \
            neighbours) in \(runTime); SIGKILL after \(answeredBeforeKill) answers, down \(Self.downtime); \(retried.count) retried by the test, \
            \(clientRetries) re-sent by the client (\(attempts - payments.count) extra attempts); wallet SERVING \(toServing) after \
            restart; balances match the plan, total \(afterRun.reduce(0, +)) unchanged, \(tenants > 1 ? "positions match, " : "")audits clean, \(payments.count) replays moved nothing; \
            settlement: \(settled.tenantBatches.count) tenant batch(es), reconciliation balanced \(reconciled.balanced)
            """)
    }
}
