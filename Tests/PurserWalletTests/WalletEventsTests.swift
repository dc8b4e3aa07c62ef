import Foundation
import PurserAPI
import PurserPostgres
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// The Wallet's events for webhooks, read from `wallet.event_outbox` and from
/// Identity's `identity.events` after the relay: each crossing once, in the
/// transaction that causes it, and every event kept once by Identity.
@Suite("Wallet events")
struct WalletEventsTests {
    /// The Wallet's outbox rows of `type` for `agent`, oldest first, as their `data` JSON texts.
    static func events(_ h: WalletHarness, _ type: String, agent: String) async throws -> [String] {
        try await h.walletHost.pool.withConnection { connection in
            try connection.query(
                "SELECT data::text FROM wallet.event_outbox WHERE type = $1 AND agent_id = $2::uuid ORDER BY seq",
                [type, agent]
            ).map { try $0.decode(String.self, at: 0) }
        }
    }

    static func setAlert(_ h: WalletHarness, _ world: WalletHarness.World, below micros: Int64) async throws -> WalletBalance {
        var request = SetBalanceAlertRequest()
        request.agentID = world.agentID
        request.balanceLowMicros = micros
        return try await h.call(WalletMethods.setBalanceAlert, request, token: world.adminToken)
    }

    static func allocate(_ h: WalletHarness, _ world: WalletHarness.World, _ micros: Int64) async throws {
        var fund = FundRequest()
        fund.tenantID = world.tenantID
        fund.amountMicros = micros
        fund.externalReference = "wire-\(UUID().uuidString.prefix(8))"
        _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: UUID().uuidString)
        var allocate = AllocateRequest()
        allocate.agentID = world.agentID
        allocate.amountMicros = micros
        _ = try await h.call(WalletMethods.allocate, allocate, token: world.adminToken, key: UUID().uuidString)
    }

    @Test func balanceLowFiresOncePerCrossingAndARefillArmsItAgain() async throws {
        try await withWallet("events_low") { h in
            let world = try await h.world("low", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 10_000_000)
            let set = try await Self.setAlert(h, world, below: 5_000_000)
            #expect(set.balanceLowMicros == 5_000_000 && set.availableMicros == 10_000_000)
            for _ in 0..<4 { _ = try await h.authorize(world, micros: 1_000_000) }
            #expect(try await Self.events(h, "agent.balance_low", agent: world.agentID).isEmpty, "6.0 left: above the threshold")
            _ = try await h.authorize(world, micros: 2_000_000)
            _ = try await h.authorize(world, micros: 1_000_000)
            _ = try await h.authorize(world, micros: 1_000_000)
            let first = try await Self.events(h, "agent.balance_low", agent: world.agentID)
            #expect(first.count == 1, "4.0 then 3.0 then 2.0 left: one crossing, one event")
            #expect(first.first?.contains(#""available_micros": 4000000"#) == true, "\(first)")
            try await Self.allocate(h, world, 5_000_000)
            _ = try await h.authorize(world, micros: 3_000_000)
            #expect(try await Self.events(h, "agent.balance_low", agent: world.agentID).count == 2, "refilled to 7.0, down to 4.0")
            #expect(try await Self.events(h, "agent.balance_depleted", agent: world.agentID).isEmpty)
            _ = try await h.authorize(world, micros: 4_000_000)
            #expect(try await Self.events(h, "agent.balance_depleted", agent: world.agentID).count == 1)
            #expect(try await Self.events(h, "agent.balance_low", agent: world.agentID).count == 2, "already below: no second low")

            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, balance, token: world.adminToken).balanceLowMicros == 5_000_000)
        }
    }

    @Test func setBalanceAlertIsTheTenantAdminsAndRefusesNegativeThresholds() async throws {
        try await withWallet("events_alert_access") { h in
            let world = try await h.world("alertaccess", operatorToken: try await h.operatorToken())
            var request = SetBalanceAlertRequest()
            request.agentID = world.agentID
            request.balanceLowMicros = -1
            do {
                _ = try await h.call(WalletMethods.setBalanceAlert, request, token: world.adminToken)
                Issue.record("a negative threshold was accepted")
            } catch let error as RPCError {
                #expect(error.reason == "amount_invalid")
            }
            request.balanceLowMicros = 1
            for token in [world.financeToken, world.agentToken, world.providerToken] {
                do {
                    _ = try await h.call(WalletMethods.setBalanceAlert, request, token: token)
                    Issue.record("a non-admin set a balance alert")
                } catch let error as RPCError {
                    #expect(error.code == .permissionDenied)
                }
            }
            let other = try await h.world("alertother", operatorToken: world.operatorToken, provider: (world.providerID, world.providerToken))
            do {
                _ = try await h.call(WalletMethods.setBalanceAlert, request, token: other.adminToken)
                Issue.record("another tenant's admin set this tenant's agent's alert")
            } catch let error as RPCError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func aCapFiresAt80And100PercentOncePerWindowEvenWhenReleasedAndReachedAgain() async throws {
        try await withWallet("events_limit") { h in
            let world = try await h.world("limit", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 50_000_000)
            try await h.setAgentPolicy(world, PolicyEnforcementTests.dailyTen)
            _ = try await h.authorize(world, micros: 7_000_000)
            #expect(try await Self.events(h, "agent.limit_reached", agent: world.agentID).isEmpty, "70 %")
            let hold = try await h.authorize(world, micros: 1_000_000)
            let at80 = try await Self.events(h, "agent.limit_reached", agent: world.agentID)
            #expect(at80.count == 1 && at80[0].contains(#""percent": 80"#), "\(at80)")
            var void = VoidRequest()
            void.holdID = hold.holdID
            void.tenantID = world.tenantID
            _ = try await h.call(WalletMethods.void, void, token: world.providerToken, key: UUID().uuidString)
            _ = try await h.authorize(world, micros: 1_000_000)
            #expect(try await Self.events(h, "agent.limit_reached", agent: world.agentID).count == 1, "80 % again, same window: no repeat")
            _ = try await h.authorize(world, micros: 2_000_000)
            let all = try await Self.events(h, "agent.limit_reached", agent: world.agentID)
            #expect(all.count == 2 && all[1].contains(#""percent": 100"#) && all[1].contains(#""cap_micros": 10000000"#), "\(all)")
        }
    }

    @Test func denialsAreReportedOncePerAgentReasonAndMinute() async throws {
        try await withWallet("events_denied") { h in
            let world = try await h.world("denied", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            for _ in 0..<30 {
                do {
                    _ = try await h.authorize(world, micros: 2_000_000)
                    Issue.record("more than the balance was authorized")
                } catch let error as RPCError {
                    #expect(error.reason == "insufficient_funds")
                }
            }
            let (denials, minutes) = try await h.walletHost.pool.withConnection { connection in
                let row = try connection.query(
                    """
                    SELECT count(*), count(DISTINCT floor(extract(epoch FROM created_at) / 60))
                      FROM wallet.denials WHERE agent_id = $1::uuid
                    """, [world.agentID])[0]
                return (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
            }
            #expect(denials == 30)
            let events = try await Self.events(h, "authorization.denied", agent: world.agentID)
            #expect(events.count == Int(minutes), "one event per minute the 30 denials spanned")
            #expect(events.allSatisfy { $0.contains(#""reason": "insufficient_funds""#) })
        }
    }

    @Test func aRolledBackChangeWritesNoEvent() async throws {
        try await withWallet("events_rollback") { h in
            let world = try await h.world("rollback", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            _ = try await Self.setAlert(h, world, below: 500_000)
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await h.walletHost.pool.withTransaction { connection in
                    _ = try connection.query(
                        "UPDATE wallet.accounts SET held = held + 1000000 WHERE tenant_id = $1::uuid AND account_id = $2::uuid",
                        [world.tenantID, world.agentID])
                    let inside = try connection.query(
                        "SELECT count(*) FROM wallet.event_outbox WHERE agent_id = $1::uuid", [world.agentID])[0].decode(Int64.self, at: 0)
                    #expect(inside == 2, "low and depleted are written by the transaction that crosses")
                    throw Abandon()
                }
            }
            #expect(try await Self.events(h, "agent.balance_low", agent: world.agentID).isEmpty)
            #expect(try await Self.events(h, "agent.balance_depleted", agent: world.agentID).isEmpty)
        }
    }

    @Test func identityKeepsEachRelayedEventOnceEvenWhenItIsRelayedAgain() async throws {
        try await withWallet("events_relay") { h in
            let world = try await h.world("relay", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            _ = try await Self.setAlert(h, world, below: 500_000)
            _ = try await h.authorize(world, micros: 1_000_000)
            func identityEvents() async throws -> [String] {
                try await h.identityHost.pool.withConnection { connection in
                    try connection.query(
                        "SELECT type FROM identity.events WHERE tenant_id = $1::uuid ORDER BY seq", [world.tenantID]
                    ).map { try $0.decode(String.self, at: 0) }
                }
            }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while try await identityEvents().count < 2, clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await identityEvents() == ["agent.balance_low", "agent.balance_depleted"])
            // As if Identity's acknowledgement had been lost: the relay sends both again.
            try await h.walletHost.pool.withConnection { connection in
                _ = try connection.execute("UPDATE wallet.event_outbox SET relayed_at = NULL WHERE tenant_id = $1::uuid", [world.tenantID])
            }
            while clock.now < deadline {
                let unrelayed = try await h.walletHost.pool.withConnection { connection in
                    try connection.query("SELECT count(*) FROM wallet.event_outbox WHERE relayed_at IS NULL")[0].decode(Int64.self, at: 0)
                }
                if unrelayed == 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await identityEvents() == ["agent.balance_low", "agent.balance_depleted"], "kept once each")
        }
    }
}
