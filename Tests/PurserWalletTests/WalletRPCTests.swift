import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

@Suite struct WalletRPCTests {
    @Test func lifecycleOverRPCFromFundingToAuditFeedAndRevocation() async throws {
        try await withWallet("rpc_lifecycle") { h in
            let world = try await h.world("acme", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 5_000_000)

            let hold = try await h.authorize(world, micros: 2_000_000)
            #expect(hold.availableAfterMicros == 3_000_000)
            #expect(hold.currency == "USD")

            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = hold.holdID
            capture.amountMicros = 1_500_000
            let captured = try await h.call(WalletMethods.capture, capture, token: world.providerToken, key: "cap-1")
            #expect(captured.capturedMicros == 1_500_000 && captured.releasedMicros == 500_000)

            var refund = RefundRequest()
            refund.tenantID = world.tenantID
            refund.holdID = hold.holdID
            refund.amountMicros = 500_000
            refund.reason = "duplicate call"
            let refunded = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "ref-1")
            #expect(refunded.refundedMicros == 500_000 && refunded.availableAfterMicros == 0)
            #expect(try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken).availableMicros == 4_000_000)

            var charge = ChargeRequest()
            charge.amountMicros = 250_000
            charge.providerID = world.providerID
            let charged = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "charge-1")
            #expect(charged.availableAfterMicros == 3_750_000)
            #expect(!charged.entryID.isEmpty)

            let byProvider = try await h.providerCharge(world, micros: 750_000, key: "charge-2")
            #expect(byProvider.amountMicros == 750_000)
            #expect(byProvider.availableAfterMicros == 0, "a provider never sees the agent's balance")

            var balanceRequest = GetBalanceRequest()
            balanceRequest.agentID = world.agentID
            let balance = try await h.call(WalletMethods.getBalance, balanceRequest, token: world.financeToken)
            #expect(balance.balanceMicros == 3_000_000 && balance.heldMicros == 0 && balance.status == .active)
            var own = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.agentToken)
            own.asOfUs = balance.asOfUs
            #expect(own == balance)
            let treasury = try await h.call(WalletMethods.getBalance, GetBalanceRequest(), token: world.adminToken)
            #expect(treasury.balanceMicros == 0 && treasury.agentID.isEmpty)

            let entries = try await h.call(WalletMethods.listEntries, ListEntriesRequest(), token: world.agentToken)
            #expect(entries.entries.map(\.kind) == [.capture, .capture, .refund, .capture, .allocate])
            var firstPage = ListEntriesRequest()
            firstPage.pageSize = 2
            let page = try await h.call(WalletMethods.listEntries, firstPage, token: world.financeToken)
            #expect(page.entries.count == 2 && !page.nextPageToken.isEmpty)
            var secondPage = firstPage
            secondPage.pageToken = page.nextPageToken
            secondPage.pageSize = 100
            let rest = try await h.call(WalletMethods.listEntries, secondPage, token: world.financeToken)
            #expect(rest.entries.count == 4 && rest.nextPageToken.isEmpty)

            // A window past the last representable time is refused, not a database error.
            for (from, until) in [(Int64.max, Int64(0)), (Int64(0), Int64.max)] {
                var far = ListEntriesRequest()
                far.fromUs = from
                far.untilUs = until
                let refused = await rpcError { _ = try await h.call(WalletMethods.listEntries, far, token: world.financeToken) }
                #expect(refused?.code == .invalidArgument, "from \(from) until \(until): \(String(describing: refused))")
            }

            var captures = ListEntriesRequest()
            captures.kind = .capture
            let captureEntries = try await h.call(WalletMethods.listEntries, captures, token: world.financeToken)
            #expect(captureEntries.entries.map(\.amountMicros) == [750_000, 250_000, 1_500_000])
            var treasuryEntries = ListEntriesRequest()
            treasuryEntries.accountID = "treasury"
            #expect(try await h.call(WalletMethods.listEntries, treasuryEntries, token: world.adminToken).entries.map(\.kind)
                == [.allocate, .fund])
            var unknownKind = ListEntriesRequest()
            unknownKind.kind = LedgerEntryKind(rawValue: 42)
            let badKind = await rpcError { _ = try await h.call(WalletMethods.listEntries, unknownKind, token: world.adminToken) }
            #expect(badKind?.code == .invalidArgument)
            #expect(badKind?.reason == "invalid_argument")
            #expect(badKind?.message.hasPrefix("kind:") == true)

            let audit = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken)
            #expect(audit.clean && audit.discrepancies.isEmpty)
            let everyTenant = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.operatorToken)
            #expect(everyTenant.clean)

            var feed = CaptureFeedResponse()
            for _ in 0..<250 {
                feed = try await h.call(WalletMethods.captureFeed, CaptureFeedRequest(), service: "settlement")
                if feed.entries.count == 4 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(feed.entries.map(\.kind) == [.capture, .refund, .capture, .capture])
            #expect(feed.entries.allSatisfy { $0.tenantID == world.tenantID && $0.providerID == world.providerID })
            #expect(feed.entries.first?.category == "inference")
            var next = CaptureFeedRequest()
            next.cursor = feed.nextCursor
            #expect(try await h.call(WalletMethods.captureFeed, next, service: "settlement").entries.isEmpty)

            let open = try await h.authorize(world, micros: 1_000_000)
            var revoke = RevokeAgentRequest()
            revoke.tenantID = world.tenantID
            revoke.agentID = world.agentID
            revoke.reason = "key leaked"
            let revoked = try await h.identity(IdentityMethods.revokeAgent, revoke, token: world.adminToken)
            #expect(revoked.acknowledged.contains("wallet"))
            let frozen = try await h.call(WalletMethods.getBalance, balanceRequest, token: world.adminToken)
            // The hold is voided and the whole balance (3,000,000) is back in the treasury.
            #expect(frozen.status == .revoked && frozen.heldMicros == 0 && frozen.balanceMicros == 0)
            let denied = await rpcError { _ = try await h.authorize(world, micros: 1) }
            #expect(denied?.reason == "agent_revoked" || denied?.reason == "subject_revoked")
            var late = CaptureRequest()
            late.tenantID = world.tenantID
            late.holdID = open.holdID
            let lateCapture = await rpcError { _ = try await h.call(WalletMethods.capture, late, token: world.providerToken, key: "cap-2") }
            #expect(lateCapture?.reason == "hold_voided")
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.adminToken).clean)
        }
    }

    @Test func deniedAuthorizationsSayWhyAndHowMuchIsLeft() async throws {
        try await withWallet("rpc_denials") { h in
            let world = try await h.world("denials", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000)
            let poor = await rpcError { _ = try await h.authorize(world, micros: 1_001) }
            #expect(poor?.code == .failedPrecondition)
            #expect(poor?.reason == "insufficient_funds")
            #expect(poor?.metadata["available_micros"] == "1000")

            var unknownPayee = AuthorizeRequest()
            unknownPayee.amountMicros = 10
            unknownPayee.providerID = UUID().uuidString.lowercased()
            let payee = await rpcError {
                _ = try await h.call(WalletMethods.authorize, unknownPayee, token: world.agentToken, key: "payee")
            }
            #expect(payee?.code == .failedPrecondition && payee?.reason == "payee_unknown")

            var longHold = AuthorizeRequest()
            longHold.amountMicros = 10
            longHold.providerID = world.providerID
            longHold.holdTTLSeconds = 7_200
            let ttl = await rpcError { _ = try await h.call(WalletMethods.authorize, longHold, token: world.agentToken, key: "ttl") }
            #expect(ttl?.code == .invalidArgument && ttl?.reason == "hold_ttl_invalid")

            var noKey = AuthorizeRequest()
            noKey.amountMicros = 10
            noKey.providerID = world.providerID
            let missing = await rpcError { _ = try await h.call(WalletMethods.authorize, noKey, token: world.agentToken) }
            #expect(missing?.code == .invalidArgument && missing?.reason == "idempotency_key_required")

            var fund = FundRequest()
            fund.amountMicros = 10
            let noReference = await rpcError { _ = try await h.call(WalletMethods.fund, fund, token: world.adminToken, key: "f") }
            #expect(noReference?.code == .invalidArgument && noReference?.message.contains("external_reference") == true)
            #expect(noReference?.reason == "invalid_argument")
        }
    }

    @Test func idempotencyKeysReplayOverRPCAndRefuseADifferentRequest() async throws {
        try await withWallet("rpc_idempotency") { h in
            let world = try await h.world("idem", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            let responses = try await withThrowingTaskGroup(of: AuthorizeResponse.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await h.authorize(world, micros: 100_000, key: "once") }
                }
                return try await group.reduce(into: [AuthorizeResponse]()) { $0.append($1) }
            }
            #expect(Set(responses.map(\.holdID)).count == 1)
            #expect(responses.allSatisfy { $0 == responses[0] })
            let conflict = await rpcError { _ = try await h.authorize(world, micros: 100_001, key: "once") }
            #expect(conflict?.code == .alreadyExists && conflict?.reason == "idempotency_conflict")
            var request = GetBalanceRequest()
            request.agentID = world.agentID
            #expect(try await h.call(WalletMethods.getBalance, request, token: world.adminToken).heldMicros == 100_000)
        }
    }

    @Test func concurrentAuthorizationsOverRPCNeverOverspend() async throws {
        try await withWallet("rpc_concurrency") { h in
            let world = try await h.world("busy", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 300 * 1_000)
            let started = ContinuousClock.now
            let reasons = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        var reasons: [String] = []
                        for _ in 0..<20 {
                            do {
                                _ = try await h.authorize(world, micros: 1_000)
                                reasons.append("approved")
                            } catch let error as RPCError {
                                reasons.append(error.reason ?? "\(error.code)")
                            }
                        }
                        return reasons
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            let elapsed = ContinuousClock.now - started
            #expect(reasons.filter { $0 == "approved" }.count == 300)
            #expect(reasons.filter { $0 == "insufficient_funds" }.count == reasons.count - 300)
            var request = GetBalanceRequest()
            request.agentID = world.agentID
            let balance = try await h.call(WalletMethods.getBalance, request, token: world.adminToken)
            #expect(balance.availableMicros == 0 && balance.heldMicros == 300_000)
            #expect(try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: world.financeToken).clean)
            let statistics = h.wallet.coalescer.statistics
            print("rpc concurrency requests=\(reasons.count) approvals=300 elapsed=\(elapsed) "
                  + "transactions=\(statistics.batches) mean_batch=\(statistics.requests / max(statistics.batches, 1))")
        }
    }

    @Test func theDefaultPerCallMaximumAdmitsTenToTheTwelveMicrosAndRefusesOneMore() async throws {
        try await withWallet("rpc_amount_max") { h in
            let maximum: Int64 = 1_000_000_000_000
            let world = try await h.world("amount-max", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: maximum)
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = maximum + 1
            fund.externalReference = "wire"
            var allocate = AllocateRequest()
            allocate.agentID = world.agentID
            allocate.amountMicros = maximum + 1
            var authorize = AuthorizeRequest()
            authorize.amountMicros = maximum + 1
            authorize.providerID = world.providerID
            var charge = ChargeRequest()
            charge.amountMicros = maximum + 1
            charge.providerID = world.providerID
            let over: [RPCError?] = [
                await rpcError { _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: "over-fund") },
                await rpcError { _ = try await h.call(WalletMethods.allocate, allocate, token: world.adminToken, key: "over-allocate") },
                await rpcError { _ = try await h.call(WalletMethods.authorize, authorize, token: world.agentToken, key: "over-authorize") },
                await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "over-charge") },
            ]
            for failure in over {
                #expect(failure?.code == .invalidArgument, "\(String(describing: failure))")
                #expect(failure?.reason == "amount_too_large")
            }
            charge.amountMicros = maximum
            let charged = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "at-charge")
            var refund = RefundRequest()
            refund.tenantID = world.tenantID
            refund.holdID = charged.holdID
            refund.amountMicros = maximum + 1
            let overRefund = await rpcError {
                _ = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "over-refund")
            }
            #expect(overRefund?.code == .invalidArgument)
            #expect(overRefund?.reason == "amount_too_large")
            refund.amountMicros = maximum
            let refunded = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "at-refund")
            #expect(refunded.refundedMicros == maximum)
        }
    }

    static let badAmounts: [Int64] = [0, -1, Int64.min, Int64.max, 1_000_000_000_001]

    @Test(arguments: badAmounts)
    func amountsThatAreZeroNegativeOrTooLargeAreInvalid(micros: Int64) async throws {
        try await withWallet("rpc_amounts") { h in
            let world = try await h.world("amounts", operatorToken: try await h.operatorToken())
            try await h.fund(world, agentMicros: 1_000_000)
            let hold = try await h.authorize(world, micros: 10_000)
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = micros
            fund.externalReference = "wire"
            var allocate = AllocateRequest()
            allocate.agentID = world.agentID
            allocate.amountMicros = micros
            var reclaim = ReclaimRequest()
            reclaim.agentID = world.agentID
            reclaim.amountMicros = micros
            var authorize = AuthorizeRequest()
            authorize.amountMicros = micros
            authorize.providerID = world.providerID
            var charge = ChargeRequest()
            charge.amountMicros = micros
            charge.providerID = world.providerID
            var capture = CaptureRequest()
            capture.tenantID = world.tenantID
            capture.holdID = hold.holdID
            capture.amountMicros = micros
            var refund = RefundRequest()
            refund.tenantID = world.tenantID
            refund.holdID = hold.holdID
            refund.amountMicros = micros
            let failures: [RPCError?] = [
                await rpcError { _ = try await h.call(WalletMethods.fund, fund, token: world.operatorToken, key: "a") },
                await rpcError { _ = try await h.call(WalletMethods.allocate, allocate, token: world.adminToken, key: "b") },
                await rpcError { _ = try await h.call(WalletMethods.reclaim, reclaim, token: world.adminToken, key: "c") },
                await rpcError { _ = try await h.call(WalletMethods.authorize, authorize, token: world.agentToken, key: "d") },
                await rpcError { _ = try await h.call(WalletMethods.charge, charge, token: world.agentToken, key: "e") },
                await rpcError { _ = try await h.call(WalletMethods.capture, capture, token: world.providerToken, key: "f") },
                await rpcError { _ = try await h.call(WalletMethods.refund, refund, token: world.providerToken, key: "g") },
            ]
            for failure in failures {
                #expect(failure?.code == .invalidArgument, "\(String(describing: failure))")
                #expect(failure?.reason == (micros > 0 ? "amount_too_large" : "amount_invalid"))
            }
            var balance = GetBalanceRequest()
            balance.agentID = world.agentID
            let after = try await h.call(WalletMethods.getBalance, balance, token: world.adminToken)
            #expect(after.balanceMicros == 1_000_000 && after.heldMicros == 10_000)
        }
    }
}
