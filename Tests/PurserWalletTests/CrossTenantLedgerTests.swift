import Foundation
import PurserPostgres
import PurserRPC
import PurserWallet
import Testing

/// Agents paying agents of other tenants, in the ledger: each payment moves
/// the payer's credits to its tenant's payable towards the payee's tenant and
/// the payee's tenant's receivable to the payee, in one transaction, so every
/// tenant's books balance on their own and the positions of each pair of
/// tenants mirror each other to the micro.
@Suite(.serialized) struct CrossTenantLedgerTests {
    /// A payment from an agent of `f.tenant`'s kind of fixture to `payee` of `payeeTenant`.
    static func payment(
        to payee: UUID, of payeeTenant: UUID?, _ amount: Int64, kind: AuthorizationCommand.Kind = .charge,
        key: String = UUID().uuidString, principal: String = "agent", refuses: Bool = false
    ) -> AuthorizationCommand {
        AuthorizationCommand(
            kind: kind, scope: IdempotencyScope(principal: principal, key: key), providerID: payee, category: "agent",
            amountMicros: amount, holdTTLMicros: 300_000_000, payeeIsAgent: true, payeeTenant: payeeTenant,
            payeeRefusesOtherTenants: refuses)
    }

    /// Funds `tenant`'s treasury with `micros` and allocates all of it to a new agent.
    static func fundedAgent(_ f: LedgerFixture, tenant: UUID, _ micros: Int64) async throws -> UUID {
        let agent = UUID()
        _ = try await f.ledger.fund(tenant: tenant, currency: f.currency, amountMicros: micros, reference: "wire", description: "",
                                    scope: LedgerFixture.scope("operator"))
        _ = try await f.ledger.allocate(tenant: tenant, currency: f.currency, agent: agent, amountMicros: micros,
                                        scope: LedgerFixture.scope("admin"))
        return agent
    }

    /// The sum of every account of each tenant (funding included): zero when its books balance.
    static func tenantSums(_ f: LedgerFixture) async throws -> [UUID: Int64] {
        try await f.pool.withConnection { connection in
            var sums: [UUID: Int64] = [:]
            for row in try connection.query("SELECT tenant_id, sum(balance)::bigint FROM wallet.accounts GROUP BY tenant_id") {
                sums[try row.decode(UUID.self, at: 0)] = try row.decode(Int64.self, at: 1)
            }
            return sums
        }
    }

    /// The balance of the position account `kind` of `tenant` towards `counter` (0 when it has none).
    static func position(_ f: LedgerFixture, _ kind: String, of tenant: UUID, towards counter: UUID) async throws -> Int64 {
        try await f.pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT balance FROM wallet.accounts WHERE tenant_id = $1 AND kind = $2 AND counter_tenant = $3",
                [tenant, kind, counter])
            return try rows.first?.decode(Int64.self, at: 0) ?? 0
        }
    }

    /// 24 agents of three tenants in a ring (neighbours are always of
    /// different tenants), each paying both neighbours, half by Charge and
    /// half by Authorize then the payee's Capture from its own tenant, from 8
    /// concurrent clients. Every balance ends at what it paid and received,
    /// each tenant's accounts still sum to zero, each pair's payable and
    /// receivable are the planned net flows to the micro, the audit is clean,
    /// no transaction was retried (no deadlock), and a replay with the same
    /// keys pays nothing more.
    @Test func aRingAcrossThreeTenantsKeepsEveryTenantsBooksWhole() async throws {
        try await LedgerFixture.with("cross_tenant_ring", poolSize: 8) { f in
            let tenants = [f.tenant, UUID(), UUID()]
            let agents = 24, paymentsPerAgent = 100, clients = 8
            let funded: Int64 = 10_000_000
            var made: [(id: UUID, tenant: UUID)] = []
            for a in 0..<agents {
                let tenant = tenants[a % tenants.count]
                made.append((try await Self.fundedAgent(f, tenant: tenant, funded), tenant))
            }
            let ring = made
            let coalescer = AuthorizationCoalescer(ledger: f.ledger)
            struct Payment: Sendable { let payer: Int, payee: Int, amount: Int64, key: String, charge: Bool }
            var planned: [[Payment]] = Array(repeating: [], count: clients)
            for a in 0..<agents {
                for p in 0..<paymentsPerAgent {
                    let payee = p % 2 == 0 ? (a + 1) % agents : (a + agents - 1) % agents
                    planned[(a * paymentsPerAgent + p) % clients].append(
                        Payment(payer: a, payee: payee, amount: Int64(1_000 + 7 * p + a), key: "x-\(a)-\(p)", charge: p % 4 < 2))
                }
            }
            let plan = planned
            let retriesBefore = f.ledger.metrics.retries
            @Sendable func pay(_ payment: Payment) async throws -> UUID {
                let payer = ring[payment.payer], payee = ring[payment.payee]
                let command = Self.payment(
                    to: payee.id, of: payee.tenant, payment.amount, kind: payment.charge ? .charge : .authorize,
                    key: payment.key, principal: "agent:\(payer.id)")
                let receipt = try await coalescer.authorize(tenant: payer.tenant, agent: payer.id, command)
                if !payment.charge {
                    _ = try await f.ledger.capture(
                        tenant: payee.tenant, hold: receipt.holdID, amountMicros: nil, caller: .agent(payee.id),
                        scope: IdempotencyScope(principal: "agent:\(payee.id)", key: "cap-\(payment.key)"))
                }
                return receipt.holdID
            }
            @Sendable func payAll() async throws -> [String: UUID] {
                try await withThrowingTaskGroup(of: [String: UUID].self) { group in
                    for client in plan {
                        group.addTask {
                            var holds: [String: UUID] = [:]
                            for payment in client { holds[payment.key] = try await pay(payment) }
                            return holds
                        }
                    }
                    return try await group.reduce(into: [String: UUID]()) { $0.merge($1) { a, _ in a } }
                }
            }
            let started = ContinuousClock.now
            let holds = try await payAll()
            let elapsed = ContinuousClock.now - started
            #expect(holds.count == agents * paymentsPerAgent)
            #expect(f.ledger.metrics.retries == retriesBefore, "a transaction was retried (a deadlock or a lost connection)")

            var expected = Array(repeating: funded, count: agents)
            var owed: [String: Int64] = [:]  // "payer tenant>payee tenant" -> micros
            for client in plan {
                for payment in client {
                    expected[payment.payer] -= payment.amount
                    expected[payment.payee] += payment.amount
                    owed["\(ring[payment.payer].tenant)>\(ring[payment.payee].tenant)", default: 0] += payment.amount
                }
            }
            func balances() async throws -> [Int64] {
                var found: [Int64] = []
                for agent in ring {
                    found.append(try await f.ledger.balance(tenant: agent.tenant, account: .agent(agent.id))?.balanceMicros ?? -1)
                }
                return found
            }
            func checkBooks() async throws {
                #expect(try await balances() == expected)
                #expect(try await Self.tenantSums(f) == Dictionary(uniqueKeysWithValues: tenants.map { ($0, 0) }))
                for payer in tenants {
                    for payee in tenants where payee != payer {
                        let flow = owed["\(payer)>\(payee)", default: 0]
                        #expect(try await Self.position(f, "payable", of: payer, towards: payee) == flow)
                        #expect(try await Self.position(f, "receivable", of: payee, towards: payer) == -flow)
                    }
                }
                #expect(try await f.audit() == [])
            }
            #expect(owed.count == 6, "every tenant pays each other tenant")
            try await checkBooks()

            let replayed = try await payAll()
            #expect(replayed == holds)
            try await checkBooks()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("cross_tenant_ring clients=\(clients) agents=\(agents) tenants=\(tenants.count) "
                  + "transfers=\(agents * paymentsPerAgent) transfers_per_second=\(Int(Double(agents * paymentsPerAgent) / seconds))")
        }
    }

    /// A payee whose tenant refuses payments from other tenants receives
    /// nothing: Charge and Authorize are refused with
    /// `payee_refuses_other_tenants`, stored under the key (a replay after
    /// the tenant changed its mind is still refused), and nothing moves.
    @Test func aTenantThatRefusesOtherTenantsReceivesNothing() async throws {
        try await LedgerFixture.with("cross_tenant_refused") { f in
            let other = UUID()
            let payer = try await f.fundedAgent(1_000_000)
            let payee = try await Self.fundedAgent(f, tenant: other, 10)
            let key = UUID().uuidString
            for kind in [AuthorizationCommand.Kind.charge, .authorize] {
                let refused = await denialReason {
                    try await f.ledger.authorize(tenant: f.tenant, agent: payer,
                                                 Self.payment(to: payee, of: other, 500, kind: kind, key: key + kind.rawValue, refuses: true))
                }
                #expect(refused == "payee_refuses_other_tenants")
            }
            let replay = await denialReason {
                try await f.ledger.authorize(tenant: f.tenant, agent: payer,
                                             Self.payment(to: payee, of: other, 500, key: key + "Charge", refuses: false))
            }
            #expect(replay == "payee_refuses_other_tenants")
            #expect(try await f.available(payer) == 1_000_000)
            #expect(try await f.ledger.balance(tenant: other, account: .agent(payee))?.balanceMicros == 10)
            #expect(try await Self.position(f, "payable", of: f.tenant, towards: other) == 0)
            #expect(try await f.audit() == [])
        }
    }

    /// A hold payable to an agent of another tenant is captured (or voided)
    /// by that agent from its own tenant; the payer, another agent of either
    /// tenant, a provider, and the payee naming the payer's tenant are
    /// answered not_found. The capture writes both legs and the positions.
    @Test func onlyThePayeeOfTheOtherTenantCapturesOrVoids() async throws {
        try await LedgerFixture.with("cross_tenant_capture") { f in
            let other = UUID()
            let payer = try await f.fundedAgent(1_000_000)
            let payee = try await Self.fundedAgent(f, tenant: other, 1)
            let thirdHere = try await f.fundedAgent(1), thirdThere = try await Self.fundedAgent(f, tenant: other, 1)
            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(to: payee, of: other, 400_000, kind: .authorize))
            let strangers: [(UUID, HoldCaller)] = [
                (f.tenant, .agent(payer)), (other, .agent(payer)), (f.tenant, .agent(thirdHere)), (other, .agent(thirdThere)),
                (f.tenant, .agent(payee)), (f.tenant, .provider(f.provider)), (other, .provider(payee)),
            ]
            for (tenant, caller) in strangers {
                #expect(await denialReason {
                    try await f.ledger.capture(tenant: tenant, hold: hold.holdID, amountMicros: nil, caller: caller, scope: LedgerFixture.scope())
                } == "not_found")
                #expect(await denialReason {
                    try await f.ledger.void(tenant: tenant, hold: hold.holdID, caller: caller, scope: LedgerFixture.scope())
                } == "not_found")
            }
            let scope = LedgerFixture.scope("agent:\(payee)")
            let captured = try await f.ledger.capture(tenant: other, hold: hold.holdID, amountMicros: 300_000, caller: .agent(payee), scope: scope)
            #expect(captured.capturedMicros == 300_000 && captured.releasedMicros == 100_000)
            let again = try await f.ledger.capture(tenant: other, hold: hold.holdID, amountMicros: 300_000, caller: .agent(payee), scope: scope)
            #expect(again.entryID == captured.entryID)
            #expect(try await f.available(payer) == 700_000)
            #expect(try await f.ledger.balance(tenant: other, account: .agent(payee))?.balanceMicros == 300_001)
            #expect(try await Self.position(f, "payable", of: f.tenant, towards: other) == 300_000)
            #expect(try await Self.position(f, "receivable", of: other, towards: f.tenant) == -300_000)
            let outgoing = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(kind: "transfer_out"), before: nil, limit: 10)
            let incoming = try await f.ledger.entries(tenant: other, filter: EntryFilter(kind: "transfer_in"), before: nil, limit: 10)
            #expect(outgoing.map(\.amountMicros) == [300_000] && outgoing.first?.debitAccount == payer)
            #expect(incoming.map(\.amountMicros) == [300_000] && incoming.first?.creditAccount == payee)

            let second = try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(to: payee, of: other, 50_000, kind: .authorize))
            let voided = try await f.ledger.void(tenant: other, hold: second.holdID, caller: .agent(payee), scope: LedgerFixture.scope())
            #expect(voided.releasedMicros == 50_000)
            #expect(try await f.available(payer) == 700_000)
            #expect(try await Self.tenantSums(f) == [f.tenant: 0, other: 0])
            #expect(try await f.audit() == [])
        }
    }

    /// The audit finds a leg that lost its twin's amount and a position that
    /// no longer mirrors the other tenant's.
    @Test func theAuditFindsATamperedLegAndPosition() async throws {
        try await LedgerFixture.with("cross_tenant_audit") { f in
            let other = UUID()
            let payer = try await f.fundedAgent(1_000_000)
            let payee = try await Self.fundedAgent(f, tenant: other, 1)
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: payer, Self.payment(to: payee, of: other, 250_000))
            #expect(try await f.audit() == [])
            try await f.pool.withConnection { connection in
                _ = try connection.query("UPDATE wallet.entries SET amount = amount - 1 WHERE tenant_id = $1 AND kind = 'transfer_in'", [other])
                _ = try connection.query(
                    "UPDATE wallet.accounts SET balance = balance + 1 WHERE tenant_id = $1 AND kind = 'receivable'", [other])
            }
            let found = Set(try await f.audit().map(\.check))
            #expect(found.contains("cross_tenant_legs_match"))
            #expect(found.contains("positions_mirror"))
        }
    }
}
