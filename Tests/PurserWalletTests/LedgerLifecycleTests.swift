import Foundation
import PurserPostgres
import PurserWallet
import Testing

@Suite struct LedgerLifecycleTests {
    @Test func fundAllocateAuthorizeCaptureRefundLeavesACleanAudit() async throws {
        try await LedgerFixture.with("lifecycle") { f in
            let agent = UUID()
            let funded = try await f.ledger.fund(
                tenant: f.tenant, currency: "USD", amountMicros: 10_000_000, reference: "wire-42", description: "seed",
                scope: LedgerFixture.scope("operator"))
            #expect(funded.treasuryBalanceMicros == 10_000_000)
            let allocated = try await f.ledger.allocate(
                tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 4_000_000, scope: LedgerFixture.scope("admin"))
            #expect(allocated.agentBalanceMicros == 4_000_000)
            #expect(allocated.treasuryBalanceMicros == 6_000_000)

            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_500_000))
            #expect(hold.availableAfterMicros == 2_500_000)
            #expect(hold.expiresAtUs > hold.createdAtUs)

            let capture = try await f.ledger.capture(
                tenant: f.tenant, hold: hold.holdID, amountMicros: 1_000_000, caller: .provider(f.provider),
                scope: LedgerFixture.scope("provider"))
            #expect(capture.capturedMicros == 1_000_000)
            #expect(capture.releasedMicros == 500_000)
            #expect(capture.availableAfterMicros == 3_000_000)

            let refund = try await f.ledger.refund(
                tenant: f.tenant, hold: hold.holdID, amountMicros: 400_000, reason: "partial outage", caller: .provider(f.provider),
                scope: LedgerFixture.scope("provider"))
            #expect(refund.refundedMicros == 400_000)
            #expect(refund.availableAfterMicros == 3_400_000)

            let reclaimed = try await f.ledger.reclaim(
                tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 400_000, scope: LedgerFixture.scope("admin"))
            #expect(reclaimed.agentAvailableMicros == 3_000_000)
            #expect(reclaimed.treasuryBalanceMicros == 6_400_000)

            let balance = try #require(try await f.ledger.balance(tenant: f.tenant, account: .agent(agent)))
            #expect(balance.balanceMicros == 3_000_000)
            #expect(balance.heldMicros == 0)
            let treasury = try #require(try await f.ledger.balance(tenant: f.tenant, account: .treasury))
            #expect(treasury.balanceMicros == 6_400_000)

            let entries = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(), before: nil, limit: 50)
            #expect(entries.map(\.kind) == ["reclaim", "refund", "capture", "allocate", "fund"])
            let agentEntries = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(account: .id(agent)), before: nil, limit: 50)
            #expect(agentEntries.count == 4)
            let treasuryEntries = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(account: .treasury), before: nil, limit: 50)
            #expect(treasuryEntries.map(\.kind) == ["reclaim", "allocate", "fund"])
            let page = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(), before: entries[1].sequence, limit: 2)
            #expect(page.map(\.kind) == ["capture", "allocate"])
            let captures = try await f.ledger.entries(tenant: f.tenant, filter: EntryFilter(kind: "capture"), before: nil, limit: 50)
            #expect(captures.map(\.amountMicros) == [1_000_000])
            #expect(try await f.audit() == [])
        }
    }

    @Test func refundsNeverExceedTheCapture() async throws {
        try await LedgerFixture.with("refund_cap") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(600_000))
            _ = try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, caller: .provider(f.provider),
                                           scope: LedgerFixture.scope())
            _ = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 500_000, reason: "", caller: .operator,
                                          scope: LedgerFixture.scope())
            let over = await denialReason {
                try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 200_000, reason: "", caller: .operator,
                                          scope: LedgerFixture.scope())
            }
            #expect(over == "refund_exceeds_capture")
            let rest = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, reason: "", caller: .operator,
                                                 scope: LedgerFixture.scope())
            #expect(rest.refundedMicros == 100_000)
            #expect(rest.totalRefundedMicros == 600_000)
            #expect(try await f.available(agent) == 1_000_000)
            #expect(try await f.audit() == [])
        }
    }

    @Test func holdsAnswerNotFoundToAnyoneButTheirPayee() async throws {
        try await LedgerFixture.with("hold_owner") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(100_000))
            let strangers: [HoldCaller] = [.provider(UUID()), .operator]
            for caller in strangers {
                let reason = await denialReason {
                    try await f.ledger.capture(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, caller: caller,
                                               scope: LedgerFixture.scope())
                }
                #expect(reason == "not_found")
            }
            let otherTenant = await denialReason {
                try await f.ledger.void(tenant: UUID(), hold: hold.holdID, caller: .provider(f.provider), scope: LedgerFixture.scope())
            }
            #expect(otherTenant == "not_found")
            let otherProviderRefund = await denialReason {
                try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: nil, reason: "", caller: .provider(UUID()),
                                          scope: LedgerFixture.scope())
            }
            #expect(otherProviderRefund == "not_found")
        }
    }

    @Test func treasuryCannotAllocateMoreThanItHolds() async throws {
        try await LedgerFixture.with("treasury_cap") { f in
            _ = try await f.ledger.fund(tenant: f.tenant, currency: "USD", amountMicros: 1_000, reference: "r", description: "",
                                        scope: LedgerFixture.scope())
            let reason = await denialReason {
                try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: UUID(), amountMicros: 1_001, scope: LedgerFixture.scope())
            }
            #expect(reason == "insufficient_funds")
            let reclaim = await denialReason {
                try await f.ledger.reclaim(tenant: f.tenant, currency: "USD", agent: UUID(), amountMicros: 1, scope: LedgerFixture.scope())
            }
            #expect(reclaim == "insufficient_funds")
            #expect(try await f.audit() == [])
        }
    }

    @Test func theDatabaseRefusesANegativeAvailableBalance() async throws {
        try await LedgerFixture.with("check_constraint") { f in
            let agent = try await f.fundedAgent(1_000)
            let tenant = f.tenant
            let overheld = await #expect(throws: PostgresError.self) {
                try await f.pool.withConnection { connection in
                    try connection.execute(
                        "UPDATE wallet.accounts SET held = held + 1001 WHERE tenant_id = $1 AND account_id = $2", [tenant, agent])
                }
            }
            #expect(overheld?.sqlState == "23514")
            #expect(overheld?.constraint == "accounts_available_not_negative")
            let negativeHeld = await #expect(throws: PostgresError.self) {
                try await f.pool.withConnection { connection in
                    try connection.execute(
                        "UPDATE wallet.accounts SET held = -1 WHERE tenant_id = $1 AND account_id = $2", [tenant, agent])
                }
            }
            #expect(negativeHeld?.sqlState == "23514")
            #expect(negativeHeld?.constraint == "accounts_held_not_negative")
            let overdrawnTreasury = await #expect(throws: PostgresError.self) {
                try await f.pool.withConnection { connection in
                    try connection.execute(
                        "UPDATE wallet.accounts SET balance = -1 WHERE tenant_id = $1 AND kind = 'treasury'", [tenant])
                }
            }
            #expect(overdrawnTreasury?.sqlState == "23514")
            #expect(overdrawnTreasury?.constraint == "accounts_available_not_negative")
        }
    }

    @Test func freezingVoidsOpenHoldsAndDeniesLaterAuthorizationsIdempotently() async throws {
        try await LedgerFixture.with("freeze") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let limit = SpendLimit(scopeKey: "daily", windowKey: "d1", capMicros: 500_000)
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(200_000, limits: [limit]))
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(300_000, limits: [limit]))
            let treasuryBefore = try #require(try await f.ledger.balance(tenant: f.tenant, account: .treasury)).balanceMicros
            let first = try await f.ledger.freeze(tenant: f.tenant, agent: agent, currency: "USD", reason: "compromised")
            #expect(first.voidedHolds == 2 && first.releasedMicros == 500_000)
            // A root agent's whole balance returns to the treasury.
            #expect(first.returnedMicros == 1_000_000 && first.returnedTo == nil)
            let second = try await f.ledger.freeze(tenant: f.tenant, agent: agent, currency: "USD", reason: "compromised")
            #expect(second.voidedHolds == 0 && second.releasedMicros == 0 && second.returnedMicros == 0)
            let treasuryAfter = try #require(try await f.ledger.balance(tenant: f.tenant, account: .treasury)).balanceMicros
            #expect(treasuryAfter == treasuryBefore + 1_000_000)
            let reason = await denialReason { try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1)) }
            #expect(reason == "agent_revoked")
            let allocate = await denialReason {
                try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: agent, amountMicros: 1, scope: LedgerFixture.scope())
            }
            #expect(allocate == "agent_revoked")
            let balance = try #require(try await f.ledger.balance(tenant: f.tenant, account: .agent(agent)))
            #expect(balance.status == "revoked")
            #expect(balance.balanceMicros == 0 && balance.availableMicros == 0)
            let unknown = UUID()
            _ = try await f.ledger.freeze(tenant: f.tenant, agent: unknown, currency: "USD", reason: "never funded")
            let late = await denialReason {
                try await f.ledger.allocate(tenant: f.tenant, currency: "USD", agent: unknown, amountMicros: 1, scope: LedgerFixture.scope())
            }
            #expect(late == "agent_revoked")
            #expect(try await f.audit() == [])
        }
    }

    @Test func aChargeCapturesInTheSameTransaction() async throws {
        try await LedgerFixture.with("charge") { f in
            let agent = try await f.fundedAgent(1_000)
            let charge = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(700, kind: .charge))
            #expect(charge.captureEntryID != nil)
            #expect(charge.availableAfterMicros == 300)
            let again = await denialReason {
                try await f.ledger.capture(tenant: f.tenant, hold: charge.holdID, amountMicros: nil, caller: .provider(f.provider),
                                           scope: LedgerFixture.scope())
            }
            #expect(again == "hold_already_captured")
            let balance = try #require(try await f.ledger.balance(tenant: f.tenant, account: .agent(agent)))
            #expect(balance.balanceMicros == 300)
            #expect(balance.heldMicros == 0)
            #expect(try await f.audit() == [])
        }
    }

    /// A tampered tenant whose entries sum past Int64.max (three captures of
    /// 2^62 out of one agent account): the audit of every tenant still answers,
    /// reports that tenant's discrepancies and no other tenant's.
    @Test func anAuditOfEveryTenantAnswersWhenOneTenantsEntriesSumPastInt64Max() async throws {
        try await LedgerFixture.with("audit_overflow") { f in
            let honest = try await f.fundedAgent(1_000_000)
            _ = try await f.ledger.authorize(tenant: f.tenant, agent: honest, f.command(250_000, kind: .charge))
            let tampered = UUID(), agent = UUID()
            _ = try await f.ledger.fund(
                tenant: tampered, currency: "USD", amountMicros: 1_000, reference: "wire", description: "", scope: LedgerFixture.scope())
            _ = try await f.ledger.allocate(tenant: tampered, currency: "USD", agent: agent, amountMicros: 1_000, scope: LedgerFixture.scope())
            for _ in 0..<3 {
                _ = try await f.pool.withConnection { connection in
                    try connection.execute(
                        """
                        INSERT INTO wallet.entries (tenant_id, kind, debit_account, credit_account, amount, currency,
                                                    agent_id, provider_id, hold_id)
                        VALUES ($1, 'capture', $2, $3, $4, 'USD', $2, $3, gen_random_uuid())
                        """, [tampered, agent, f.provider, Int64(1) << 62])
                }
            }
            let found = try await f.ledger.audit(tenant: nil)
            #expect(!found.isEmpty)
            #expect(found.allSatisfy { $0.tenantID == tampered })
            // The agent's entries sum to 1,000 - 3 × 2^62: reported, flagged as past 64 bits.
            #expect(found.contains { $0.check == "balance_equals_entries" && $0.subject == agent.uuidString.lowercased() && $0.outOfRange })
            #expect(try await f.ledger.audit(tenant: f.tenant).isEmpty)
        }
    }
}
