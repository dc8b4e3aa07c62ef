import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// An agent paying another agent of its tenant over purser/1, through the
/// Wallet, Identity and Policy services: Charge pays at once, Authorize
/// leaves a hold only the payee agent captures, the payer's policy decides
/// which agents it may pay, and bad payees are refused with a reason.
@Suite struct AgentPayeeRPCTests {
    static func balance(_ h: WalletHarness, _ world: WalletHarness.World, agent: String) async throws -> WalletBalance {
        var request = GetBalanceRequest()
        request.agentID = agent
        return try await h.call(WalletMethods.getBalance, request, token: world.adminToken)
    }

    @Test func anAgentPaysAnotherAtOnceOrByAHoldItsPayeeCaptures() async throws {
        try await withWallet("agent_payee_rpc") { h in
            let operatorToken = try await h.operatorToken()
            let world = try await h.world("a2a", operatorToken: operatorToken)
            let elsewhere = try await h.world("a2a-else", operatorToken: operatorToken, provider: (world.providerID, world.providerToken))
            try await h.fund(world, agentMicros: 1_000_000)

            var charge = ChargeRequest()
            charge.amountMicros = 250_000
            charge.payeeAgentID = world.otherAgentID
            charge.description = "subtask"
            let paid = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "c1")
            #expect(paid.amountMicros == 250_000 && paid.availableAfterMicros == 750_000 && !paid.entryID.isEmpty)
            let replay = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "c1")
            #expect(replay.entryID == paid.entryID)
            #expect(try await Self.balance(h, world, agent: world.otherAgentID).balanceMicros == 250_000)

            var authorize = AuthorizeRequest()
            authorize.amountMicros = 100_000
            authorize.payeeAgentID = world.otherAgentID
            let hold = try await h.call(WalletMethods.authorize, authorize, token: world.agentToken, key: "a1")
            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = hold.holdID
            capture.amountMicros = 60_000
            for token in [world.agentToken, world.providerToken, elsewhere.agentToken, elsewhere.otherAgentToken] {
                let refused = await rpcError { _ = try await h.call(WalletMethods.capture, capture, token: token, key: "x-\(token.suffix(6))") }
                #expect(refused?.code == .notFound)
            }
            let captured = try await h.call(WalletMethods.capture, capture, token: world.otherAgentToken, key: "cap1")
            #expect(captured.capturedMicros == 60_000 && captured.releasedMicros == 40_000)
            #expect(captured.availableAfterMicros == 0, "the payee never learns the payer's balance")
            #expect(try await Self.balance(h, world, agent: world.otherAgentID).balanceMicros == 310_000)
            #expect(try await Self.balance(h, world, agent: world.agentID).availableMicros == 690_000)

            // The payee lists the transfers that credited it.
            var entries = ListEntriesRequest()
            entries.accountID = world.otherAgentID
            let listed = try await h.call(WalletMethods.listEntries, entries, token: world.otherAgentToken)
            #expect(listed.entries.filter { $0.kind == .transfer }.map(\.amountMicros).sorted() == [60_000, 250_000])
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken).clean)
        }
    }

    @Test func badPayeesAreRefusedWithAReason() async throws {
        try await withWallet("agent_payee_bad") { h in
            let operatorToken = try await h.operatorToken()
            let world = try await h.world("a2a-bad", operatorToken: operatorToken)
            let elsewhere = try await h.world("a2a-else", operatorToken: operatorToken, provider: (world.providerID, world.providerToken))
            try await h.fund(world, agentMicros: 1_000_000)
            func refusal(_ configure: (inout ChargeRequest) -> Void, token: String? = nil) async -> RPCError? {
                var charge = ChargeRequest()
                charge.amountMicros = 1_000
                configure(&charge)
                return await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: token ?? world.agentToken, key: UUID().uuidString) }
            }
            let itself = await refusal { $0.payeeAgentID = world.agentID }
            #expect(itself?.code == .invalidArgument && itself?.reason == "payee_invalid")
            let both = await refusal { $0.payeeAgentID = world.otherAgentID; $0.providerID = world.providerID }
            #expect(both?.code == .invalidArgument && both?.reason == "payee_invalid")
            let unknown = await refusal { $0.payeeAgentID = UUID().uuidString }
            #expect(unknown?.code == .failedPrecondition && unknown?.reason == "payee_unknown")
            let otherTenant = await refusal { $0.payeeAgentID = elsewhere.agentID }
            #expect(otherTenant?.code == .failedPrecondition && otherTenant?.reason == "payee_unknown")
            let malformed = await refusal { $0.payeeAgentID = "not-an-id" }
            #expect(malformed?.code == .invalidArgument)
            let byProvider = await refusal({ $0.payeeAgentID = world.otherAgentID }, token: world.providerToken)
            #expect(byProvider?.code == .invalidArgument && byProvider?.reason == "payee_invalid")
            #expect(try await Self.balance(h, world, agent: world.agentID).availableMicros == 1_000_000)
        }
    }

    @Test func aPayeeAgentIsNamedAsHandleAtTenantSlug() async throws {
        try await withWallet("agent_payee_handle") { h in
            let operatorToken = try await h.operatorToken()
            let world = try await h.world("a2a-name", operatorToken: operatorToken)
            let elsewhere = try await h.world("a2a-far", operatorToken: operatorToken, provider: (world.providerID, world.providerToken))
            try await h.fund(world, agentMicros: 1_000_000)

            var charge = ChargeRequest()
            charge.amountMicros = 200_000
            charge.payeeAgent = "a2a-name-other@a2a-name"
            let paid = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "n1")
            #expect(paid.amountMicros == 200_000 && paid.availableAfterMicros == 800_000)
            #expect(try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "n1").entryID == paid.entryID)

            var authorize = AuthorizeRequest()
            authorize.amountMicros = 50_000
            authorize.payeeAgent = "a2a-name-other@a2a-name"
            let hold = try await h.call(WalletMethods.authorize, authorize, token: world.agentToken, key: "n2")
            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = hold.holdID
            let refused = await rpcError { _ = try await h.call(WalletMethods.capture, capture, token: world.agentToken, key: "n3") }
            #expect(refused?.code == .notFound, "only the agent the handle names captures")
            #expect(try await h.call(WalletMethods.capture, capture, token: world.otherAgentToken, key: "n4").capturedMicros == 50_000)
            #expect(try await Self.balance(h, world, agent: world.otherAgentID).balanceMicros == 250_000)

            func refusal(_ configure: (inout AuthorizeRequest) -> Void) async -> RPCError? {
                var request = AuthorizeRequest()
                request.amountMicros = 1_000
                configure(&request)
                return await rpcError { _ = try await h.call(WalletMethods.authorize, request, token: world.agentToken, key: UUID().uuidString) }
            }
            let unknownHandle = await refusal { $0.payeeAgent = "nobody-here@a2a-name" }
            #expect(unknownHandle?.code == .failedPrecondition && unknownHandle?.reason == "payee_unknown")
            // Another tenant's agent by its own slug is found, and refused while its tenant refuses other tenants.
            let otherTenant = await refusal { $0.payeeAgent = "a2a-far-agent@a2a-far" }
            #expect(otherTenant?.code == .failedPrecondition && otherTenant?.reason == "payee_refuses_other_tenants")
            let unknownSlug = await refusal { $0.payeeAgent = "a2a-name-other@no-such-tenant" }
            #expect(unknownSlug?.code == .failedPrecondition && unknownSlug?.reason == "payee_unknown")
            for malformed in ["a2a-name-other", "a2a-name-other@", "@a2a-name", "A2A-name-other@a2a-name", "a@b@c", "a2a-name-other@a2a-name "] {
                let refused = await refusal { $0.payeeAgent = malformed }
                #expect(refused?.code == .invalidArgument && refused?.reason == "payee_invalid", "\(malformed)")
            }
            let both = await refusal { $0.payeeAgent = "a2a-name-other@a2a-name"; $0.payeeAgentID = world.otherAgentID }
            #expect(both?.code == .invalidArgument && both?.reason == "payee_invalid")
            let withProvider = await refusal { $0.payeeAgent = "a2a-name-other@a2a-name"; $0.providerID = world.providerID }
            #expect(withProvider?.code == .invalidArgument && withProvider?.reason == "payee_invalid")
            let itself = await refusal { $0.payeeAgent = "a2a-name-agent@a2a-name" }
            #expect(itself?.code == .invalidArgument && itself?.reason == "payee_invalid")
            var byProvider = ChargeRequest()
            byProvider.amountMicros = 1_000
            byProvider.payeeAgent = "a2a-name-other@a2a-name"
            let providerRefused = await rpcError {
                _ = try await h.call(WalletMethods.charge, byProvider, token: world.providerToken, key: "n5")
            }
            #expect(providerRefused?.code == .invalidArgument && providerRefused?.reason == "payee_invalid")
            #expect(try await Self.balance(h, world, agent: world.agentID).availableMicros == 750_000, "no refusal moved money")
        }
    }

    @Test func thePayersPolicyDecidesWhichAgentsItMayPay() async throws {
        try await withWallet("agent_payee_policy") { h in
            let world = try await h.world("a2a-pol", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            func pay(_ key: String, category: String = "") async -> RPCError? {
                var charge = ChargeRequest()
                charge.amountMicros = 1_000
                charge.payeeAgentID = world.otherAgentID
                charge.category = category
                return await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: key) }
            }
            try await h.setAgentPolicy(world, #"{"blocked_payees": ["\#(world.otherAgentID)"]}"#)
            let blocked = await pay("p1")
            #expect(blocked?.reason == "payee_blocked")
            #expect(blocked?.metadata["rule"]?.contains("blocked_payees") == true)

            try await h.setAgentPolicy(world, #"{"allowed_payees": ["\#(UUID().uuidString.lowercased())"]}"#)
            let notAllowed = await pay("p2")
            #expect(notAllowed?.reason == "payee_blocked")
            #expect(notAllowed?.metadata["rule"]?.contains("allowed_payees") == true)

            // Allowed payee; the category is `agent` unless one is given, and category rules apply to it.
            try await h.setAgentPolicy(
                world, #"{"allowed_payees": ["\#(world.otherAgentID)"], "blocked_categories": ["agent"], "allowed_providers": ["none"]}"#)
            #expect(await pay("p3")?.reason == "category_blocked")
            #expect(await pay("p4", category: "research") == nil)
            #expect(try await Self.balance(h, world, agent: world.otherAgentID).balanceMicros == 1_000)
        }
    }
}
