import Foundation
import PurserKit
import PurserRPC
import PurserWallet
import Testing

/// Credits moving within an agent tree: delegate (ancestor → descendant),
/// return (descendant → ancestor) and a revoked agent's balance going to its
/// nearest live ancestor, against the real ledger functions.
@Suite struct LedgerTreeMoveTests {
    @Test func delegateAndReturnMoveOnlyTheAvailableBalance() async throws {
        try await LedgerFixture.with("tree_moves") { f in
            let parent = try await f.fundedAgent(1_000)
            let child = UUID()
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: parent, f.command(300))
            let tooMuch = await denialReason {
                try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                              amountMicros: 701, scope: LedgerFixture.scope())
            }
            #expect(tooMuch == "insufficient_funds")
            let moved = try await f.ledger.moveInTree(
                .delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent, amountMicros: 700,
                scope: LedgerFixture.scope())
            #expect(moved.agentBalanceMicros == 700 && moved.counterpartBalanceMicros == 300 && moved.counterpartAvailableMicros == 0)
            let back = try await f.ledger.moveInTree(
                .return, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent, amountMicros: 200,
                scope: LedgerFixture.scope())
            #expect(back.agentAvailableMicros == 500 && back.counterpartAvailableMicros == 200)
            let overReturn = await denialReason {
                try await f.ledger.moveInTree(.return, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                              amountMicros: 501, scope: LedgerFixture.scope())
            }
            #expect(overReturn == "insufficient_funds")
            // A replay under the same key answers the first outcome and moves nothing more.
            let scope = LedgerFixture.scope()
            let once = try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                                     amountMicros: 100, scope: scope)
            let twice = try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                                      amountMicros: 100, scope: scope)
            #expect(once == twice)
            #expect(try await f.available(child) == 600)
            #expect(try await f.available(parent) == 100)
            let kinds = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(), before: nil, limit: 100).map(\.kind)
            #expect(kinds.filter { $0 == "delegate" }.count == 2 && kinds.filter { $0 == "return" }.count == 1)
            #expect(try await f.audit() == [])
        }
    }

    @Test func aRevokedAgentsBalanceGoesToItsNearestLiveAncestorOrTheTreasury() async throws {
        try await LedgerFixture.with("tree_freeze") { f in
            let grandparent = try await f.fundedAgent(10_000)
            let parent = UUID(), child = UUID()
            _ = try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: parent, ancestor: grandparent,
                                              amountMicros: 6_000, scope: LedgerFixture.scope())
            _ = try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                              amountMicros: 2_500, scope: LedgerFixture.scope())
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: child, f.command(1_000))
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: parent, f.command(500, kind: .charge))
            // The parent and the child are revoked together: both return to the grandparent.
            let child1 = try await f.ledger.freeze(tenant: f.tenant, agent: child, currency: f.currency, reason: "cascade", returnTo: grandparent)
            let parent1 = try await f.ledger.freeze(tenant: f.tenant, agent: parent, currency: f.currency, reason: "cascade", returnTo: grandparent)
            #expect(child1.voidedHolds == 1 && child1.returnedMicros == 2_500 && child1.returnedTo == grandparent)
            #expect(parent1.returnedMicros == 6_000 - 2_500 - 500 && parent1.returnedTo == grandparent)
            #expect(try await f.available(grandparent) == 4_000 + 2_500 + 3_000)
            #expect(try await f.available(child) == 0)
            #expect(try await f.available(parent) == 0)
            // Emptied by their return, the revoked accounts announce no depletion.
            let depleted = try await f.pool.withConnection { connection in
                try connection.query(
                    "SELECT count(*) FROM wallet.event_outbox WHERE type = 'agent.balance_depleted' AND agent_id IN ($1, $2)",
                    [child, parent])[0].decode(Int64.self, at: 0)
            }
            #expect(depleted == 0)
            let again = try await f.ledger.freeze(tenant: f.tenant, agent: child, currency: f.currency, reason: "cascade", returnTo: grandparent)
            #expect(again.returnedMicros == 0 && again.voidedHolds == 0)
            // Naming a revoked ancestor sends the balance to the treasury instead.
            let orphan = UUID()
            _ = try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: orphan, ancestor: grandparent,
                                              amountMicros: 700, scope: LedgerFixture.scope())
            let treasury = try #require(try await f.ledger.balance(tenant: f.tenant, account: .treasury)).balanceMicros
            let toTreasury = try await f.ledger.freeze(tenant: f.tenant, agent: orphan, currency: f.currency, reason: "x", returnTo: parent)
            #expect(toTreasury.returnedMicros == 700 && toTreasury.returnedTo == nil)
            #expect(try #require(try await f.ledger.balance(tenant: f.tenant, account: .treasury)).balanceMicros == treasury + 700)
            // Nothing moves into or out of a revoked tree member any more.
            let late = await denialReason {
                try await f.ledger.moveInTree(.delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: grandparent,
                                              amountMicros: 1, scope: LedgerFixture.scope())
            }
            #expect(late == "agent_revoked")
            #expect(try await f.audit() == [])
        }
    }

    /// A parent with 8 children: the children charge a provider in loops while
    /// the parent delegates to them and charges for itself, all at once. No
    /// child spends beyond what it was given, the parent never gives or spends
    /// more than it has, and every balance equals what the approved calls say.
    @Test func aParentWithEightChildrenSpendingConcurrentlyNeverOverspends() async throws {
        try await LedgerFixture.with("tree_concurrent", poolSize: 12) { f in
            let funded: Int64 = 1_000_000
            let parent = try await f.fundedAgent(funded)
            let children = (0..<8).map { _ in UUID() }
            enum Outcome: Sendable { case delegated(Int, Int64), childSpent(Int, Int64), parentSpent(Int64), refused(String) }
            let outcomes = try await withThrowingTaskGroup(of: [Outcome].self) { group in
                // The parent delegates 12 × 10,000 to each child, interleaved across children (960,000 asked).
                group.addTask {
                    var done: [Outcome] = []
                    for _ in 0..<12 {
                        for (index, child) in children.enumerated() {
                            do {
                                _ = try await f.ledger.moveInTree(
                                    .delegate, tenant: f.tenant, currency: f.currency, agent: child, ancestor: parent,
                                    amountMicros: 10_000, scope: LedgerFixture.scope("agent:parent"))
                                done.append(.delegated(index, 10_000))
                            } catch let error as RPCError { done.append(.refused(error.reason ?? "\(error)")) }
                        }
                    }
                    return done
                }
                // The parent charges 200 × 1,500 for itself (300,000 asked).
                group.addTask {
                    var done: [Outcome] = []
                    for _ in 0..<200 {
                        do {
                            _ = try await f.ledger.authorize(tenant: f.tenant, agent: parent, f.command(1_500, kind: .charge))
                            done.append(.parentSpent(1_500))
                        } catch let error as RPCError { done.append(.refused(error.reason ?? "\(error)")) }
                    }
                    return done
                }
                // Each child charges 150 × 1,000 (more than it can ever be given).
                for (index, child) in children.enumerated() {
                    group.addTask {
                        var done: [Outcome] = []
                        for _ in 0..<150 {
                            do {
                                _ = try await f.ledger.authorize(tenant: f.tenant, agent: child, f.command(1_000, kind: .charge))
                                done.append(.childSpent(index, 1_000))
                            } catch let error as RPCError { done.append(.refused(error.reason ?? "\(error)")) }
                        }
                        return done
                    }
                }
                return try await group.reduce(into: [Outcome]()) { $0 += $1 }
            }
            var given = [Int64](repeating: 0, count: 8), spent = [Int64](repeating: 0, count: 8)
            var parentSpent: Int64 = 0
            var refusals: [String: Int] = [:]
            for outcome in outcomes {
                switch outcome {
                case .delegated(let index, let amount): given[index] += amount
                case .childSpent(let index, let amount): spent[index] += amount
                case .parentSpent(let amount): parentSpent += amount
                case .refused(let reason): refusals[reason, default: 0] += 1
                }
            }
            #expect(Set(refusals.keys).isSubset(of: ["insufficient_funds"]), "unexpected refusals \(refusals)")
            // The parent was asked for 1,260,000 with 1,000,000: some of it was refused.
            #expect(refusals["insufficient_funds", default: 0] > 0)
            #expect(given.reduce(0, +) + parentSpent <= funded)
            for index in 0..<8 {
                #expect(spent[index] <= given[index], "child \(index) spent \(spent[index]) of \(given[index])")
                #expect(try await f.available(children[index]) == given[index] - spent[index])
            }
            #expect(try await f.available(parent) == funded - given.reduce(0, +) - parentSpent)
            #expect(try await f.audit() == [])
            print("tree concurrency: given=\(given.reduce(0, +)) child_spent=\(spent.reduce(0, +)) parent_spent=\(parentSpent) "
                  + "refusals=\(refusals)")
        }
    }
}
