import Foundation
import PurserPostgres
import PurserRPC
import PurserWallet
import Testing

/// Agents paying agents of their own tenant, in the ledger: a transfer moves
/// credits from the payer's account to the payee's in the capture's (or the
/// charge's) own transaction, the audit balances to the micro, and payments
/// in every direction at once never deadlock. Serialized, so the ring's
/// figures at 8 and 32 clients are not measured against each other.
@Suite(.serialized) struct AgentPayeeLedgerTests {
    /// An agent-payee command from the fixture's tenant.
    static func payment(
        _ f: LedgerFixture, to payee: UUID, _ amount: Int64, kind: AuthorizationCommand.Kind = .charge,
        key: String = UUID().uuidString, principal: String = "agent"
    ) -> AuthorizationCommand {
        AuthorizationCommand(
            kind: kind, scope: IdempotencyScope(principal: principal, key: key), providerID: payee, category: "agent",
            amountMicros: amount, holdTTLMicros: 300_000_000, payeeIsAgent: true)
    }

    /// 32 agents in a ring, each paying both neighbours (so every pair of
    /// neighbours pays in both directions at once), half by Charge and half by
    /// Authorize then the payee's Capture, from `clients` concurrent clients
    /// through one group-commit coalescer. Every balance ends at what it paid
    /// and received, the tenant's sum is unchanged, the audit is clean, no
    /// transaction was retried (no deadlock), and replaying every request with
    /// its key pays nothing more. With `providers`, every third payment pays
    /// the fixture's provider instead (Charge), so batches that pay only
    /// providers (which lock their payers as they go) meet batches that pay
    /// agents (which lock every account first), both in account order.
    @Test(arguments: [(8, false), (32, false), (8, true)])
    func aRingOfAgentsPayingBothNeighboursBalancesToTheMicro(clients: Int, providers: Bool) async throws {
        try await LedgerFixture.with("agent_ring_\(clients)\(providers ? "_providers" : "")", poolSize: 8) { f in
            let agents = 32
            let paymentsPerAgent = 200
            let funded: Int64 = 10_000_000
            var funding: [UUID] = []
            for _ in 0..<agents { funding.append(try await f.fundedAgent(funded)) }
            let ids = funding
            let coalescer = AuthorizationCoalescer(ledger: f.ledger)
            // Payment p of agent a: to its right neighbour when p is even, its left otherwise; an odd amount per payment.
            struct Payment: Sendable { let payer: Int, payee: Int?, amount: Int64, key: String, charge: Bool }
            var planned: [[Payment]] = Array(repeating: [], count: clients)
            for a in 0..<agents {
                for p in 0..<paymentsPerAgent {
                    let neighbour = p % 2 == 0 ? (a + 1) % agents : (a + agents - 1) % agents
                    let toProvider = providers && p % 3 == 2
                    let payment = Payment(
                        payer: a, payee: toProvider ? nil : neighbour, amount: Int64(1_000 + 7 * p + a), key: "ring-\(a)-\(p)",
                        charge: toProvider || p % 4 < 2)
                    planned[(a * paymentsPerAgent + p) % clients].append(payment)
                }
            }
            let plan = planned
            let retriesBefore = f.ledger.metrics.retries
            @Sendable func pay(_ payment: Payment) async throws -> UUID {
                let payer = ids[payment.payer]
                guard let payeeIndex = payment.payee else {
                    let command = f.command(payment.amount, kind: .charge, key: payment.key, principal: "agent:\(payer)")
                    return try await coalescer.authorize(tenant: f.tenant, agent: payer, command).holdID
                }
                let payee = ids[payeeIndex]
                let command = Self.payment(
                    f, to: payee, payment.amount, kind: payment.charge ? .charge : .authorize, key: payment.key,
                    principal: "agent:\(payer)")
                let receipt = try await coalescer.authorize(tenant: f.tenant, agent: payer, command)
                if !payment.charge {
                    _ = try await f.ledger.capture(
                        tenant: f.tenant, hold: receipt.holdID, amountMicros: nil, caller: .agent(payee),
                        scope: IdempotencyScope(principal: "agent:\(payee)", key: "cap-\(payment.key)"))
                }
                return receipt.holdID
            }
            let started = ContinuousClock.now
            let holds = try await withThrowingTaskGroup(of: [String: UUID].self) { group in
                for client in plan {
                    group.addTask {
                        var holds: [String: UUID] = [:]
                        for payment in client { holds[payment.key] = try await pay(payment) }
                        return holds
                    }
                }
                return try await group.reduce(into: [String: UUID]()) { $0.merge($1) { a, _ in a } }
            }
            let elapsed = ContinuousClock.now - started
            let total = agents * paymentsPerAgent
            #expect(holds.count == total)
            #expect(f.ledger.metrics.retries == retriesBefore, "a transaction was retried (a deadlock or a lost connection)")

            var expected = Array(repeating: funded, count: agents)
            var paidToProvider: Int64 = 0
            for client in plan {
                for payment in client {
                    expected[payment.payer] -= payment.amount
                    if let payee = payment.payee { expected[payee] += payment.amount } else { paidToProvider += payment.amount }
                }
            }
            #expect(providers == (paidToProvider > 0))
            func balances() async throws -> [Int64] {
                var found: [Int64] = []
                for id in ids { found.append(try await f.ledger.balance(tenant: f.tenant, account: .agent(id))?.balanceMicros ?? -1) }
                return found
            }
            #expect(try await balances() == expected)
            #expect(expected.reduce(0, +) + paidToProvider == funded * Int64(agents))
            #expect(try await f.audit() == [])

            // Every request again with its key: the same holds, nothing paid twice.
            let replayed = try await withThrowingTaskGroup(of: [String: UUID].self) { group in
                for client in plan {
                    group.addTask {
                        var holds: [String: UUID] = [:]
                        for payment in client { holds[payment.key] = try await pay(payment) }
                        return holds
                    }
                }
                return try await group.reduce(into: [String: UUID]()) { $0.merge($1) { a, _ in a } }
            }
            #expect(replayed == holds)
            #expect(try await balances() == expected)
            #expect(try await f.audit() == [])
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("agent_ring clients=\(clients) providers=\(providers) agents=\(agents) transfers=\(total) elapsed=\(elapsed) "
                  + "transfers_per_second=\(Int(Double(total) / seconds)) batches=\(coalescer.statistics.batches)")
        }
    }

    /// Only the payee agent captures or voids a hold that pays it; the payer,
    /// a provider and a third agent are answered not_found. The capture lands
    /// on the payee's balance in the same transaction, is replayed (not paid
    /// again) under its key, and a payment to an agent is not refunded.
    @Test func onlyThePayeeAgentCapturesAndTheCreditsLandOnItsBalance() async throws {
        try await LedgerFixture.with("agent_payee_capture") { f in
            let payer = try await f.fundedAgent(1_000_000)
            let payee = UUID(), third = try await f.fundedAgent(5)
            let hold = try await f.ledger.authorize(
                tenant: f.tenant, agent: payer, Self.payment(f, to: payee, 400_000, kind: .authorize))
            #expect(try await f.available(payer) == 600_000)
            for caller in [HoldCaller.agent(payer), .agent(third), .provider(payee), .provider(f.provider)] {
                let refused = await denialReason {
                    try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, caller: caller, scope: LedgerFixture.scope())
                }
                #expect(refused == "not_found")
                let notVoided = await denialReason {
                    try await f.ledger.void(tenant: f.tenant, hold: hold.holdID, caller: caller, scope: LedgerFixture.scope())
                }
                #expect(notVoided == "not_found")
            }
            let scope = LedgerFixture.scope("agent:\(payee)")
            let captured = try await f.ledger.capture(
                tenant: f.tenant, hold: hold.holdID, amountMicros: 300_000, caller: .agent(payee), scope: scope)
            #expect(captured.capturedMicros == 300_000 && captured.releasedMicros == 100_000)
            let again = try await f.ledger.capture(
                tenant: f.tenant, hold: hold.holdID, amountMicros: 300_000, caller: .agent(payee), scope: scope)
            #expect(again.entryID == captured.entryID)
            #expect(try await f.available(payer) == 700_000)
            #expect(try await f.available(payee) == 300_000)
            let entries = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(kind: "transfer"), before: nil, limit: 10)
            #expect(entries.count == 1)
            #expect(entries.first?.debitAccount == payer && entries.first?.creditAccount == payee && entries.first?.amountMicros == 300_000)
            let refund = await denialReason {
                try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 1, reason: "", caller: .operator, scope: LedgerFixture.scope())
            }
            #expect(refund == "refund_unsupported")
            // The payee spends what it received.
            let onward = try await f.ledger.authorize(tenant: f.tenant, agent: payee, Self.payment(f, to: third, 300_000))
            #expect(onward.availableAfterMicros == 0)
            #expect(try await f.available(third) == 300_005)
            #expect(try await f.audit() == [])
        }
    }

    /// A revoked or frozen payee receives nothing: its Charge and its Capture
    /// are refused with `payee_revoked` / `payee_frozen`, stored under the
    /// key, and the payer keeps every micro.
    @Test func aRevokedOrFrozenPayeeReceivesNothing() async throws {
        try await LedgerFixture.with("agent_payee_revoked") { f in
            let payer = try await f.fundedAgent(1_000_000)
            let revoked = try await f.fundedAgent(10)
            let frozen = try await f.fundedAgent(10)
            let pending = try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(f, to: revoked, 1_000, kind: .authorize))
            _ = try await f.ledger.freeze(tenant: f.tenant, agent: revoked, currency: f.currency, reason: "test")
            try await f.pool.withConnection { connection in
                _ = try connection.query("UPDATE wallet.accounts SET status = 'frozen' WHERE tenant_id = $1 AND account_id = $2", [f.tenant, frozen])
            }
            let key = UUID().uuidString
            #expect(await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(f, to: revoked, 500, key: key)) } == "payee_revoked")
            #expect(await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(f, to: revoked, 500, key: key)) } == "payee_revoked")
            #expect(await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(f, to: frozen, 500)) } == "payee_frozen")
            #expect(await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(f, to: frozen, 500, kind: .authorize)) } == "payee_frozen")
            let capture = await denialReason {
                try await f.ledger.capture(tenant: f.tenant, hold: pending.holdID, amountMicros: nil, caller: .agent(revoked), scope: LedgerFixture.scope())
            }
            #expect(capture == "payee_revoked")
            // In a tenant never funded (no accounts at all) the payer has nothing to pay with.
            let unfunded = await denialReason {
                try await f.ledger.authorize(tenant: UUID(), agent: UUID(), Self.payment(f, to: UUID(), 500))
            }
            #expect(unfunded == "insufficient_funds")
            #expect(try await f.available(payer) == 1_000_000 - 1_000)
            // The revoked payee's own 10 went back to the treasury when it was frozen; it received nothing since.
            #expect(try await f.ledger.balance(tenant: f.tenant, account: .agent(revoked))?.balanceMicros == 0)
            #expect(try await f.ledger.balance(tenant: f.tenant, account: .agent(frozen))?.balanceMicros == 10)
            #expect(try await f.audit() == [])
        }
    }
}
