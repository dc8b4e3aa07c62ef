import Foundation
import Glibc
import PurserAPI
import PurserClient
import PurserRPC
import Synchronization
import Testing

/// The real `purser-wallet` process is killed with SIGKILL in the middle of a
/// storm of authorizations that asks for more than the agent has, and started
/// again on the same port. Clients retry every unanswered authorization with
/// the same idempotency key and body until it is answered. Nothing approved is
/// lost, nothing is applied twice, the money is never overspent, holds whose
/// answer was lost are released by expiry, and the ledger audits clean.
@Suite(.serialized) struct IsolatedCrashTests {
    static let amount: Int64 = 1_000
    static let fundedAuthorizations: Int64 = 1_000
    static let clients = 32
    /// 1,600 authorizations: more than the money (1,000) plus every short hold
    /// expiring and being granted again (533) could ever cover.
    static let requestsPerClient = 50
    /// Every third authorization asks for a hold this short, so holds whose
    /// answer was lost are seen to be released by the sweeper.
    static let shortTTLSeconds: Int32 = 3
    /// Approvals seen before the Wallet is killed.
    static let killAfterApprovals = 300

    @Test(.timeLimit(.minutes(3)))
    func walletKilledMidStormLosesNoApprovalAndAppliesEveryRetryOnce() async throws {
        let deployment = try await Deployment()
        do {
            try await crashDuringStorm(deployment)
        } catch {
            Issue.record("\(error)\n\(deployment.logs())")
        }
        await deployment.stop()
    }

    func crashDuringStorm(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        let funded = Self.amount * Self.fundedAuthorizations
        let world = try await deployment.makeWorld(agents: 1, allocation: funded)
        let probe = WalletProbe(databaseURL: deployment.databaseURL, tenantID: world.tenantID)
        do {
            try await storm(deployment, world, probe)
        } catch {
            await probe.close()
            throw error
        }
        await probe.close()
    }

    /// A count shared by the storm's clients.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    func storm(_ deployment: Deployment, _ world: Deployment.World, _ probe: WalletProbe) async throws {
        let funded = Self.amount * Self.fundedAuthorizations
        let agents = (0..<4).map { _ in deployment.client(.token(world.agent.token), timeout: .seconds(5)) }
        defer { agents.forEach { $0.close() } }

        // The storm: 32 clients, 1,600 authorizations for money that covers 1,000.
        let approvals = Counter()
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started.advanced(by: .seconds(90))
        let providerID = world.providerID
        let wallets = try agents.map { try $0.wallet() }
        async let stormResult: [LogicalAuthorization] = withTaskGroup(of: [LogicalAuthorization].self) { group in
            for client in 0..<Self.clients {
                let wallet = wallets[client % wallets.count]
                group.addTask {
                    var done: [LogicalAuthorization] = []
                    for index in 0..<Self.requestsPerClient {
                        var body = AuthorizeRequest()
                        body.amountMicros = Self.amount
                        body.providerID = providerID
                        body.category = "search"
                        body.holdTTLSeconds = (client * Self.requestsPerClient + index) % 3 == 0 ? Self.shortTTLSeconds : 0
                        var request = LogicalAuthorization(body: body)
                        await request.settle(on: wallet, until: deadline)
                        if request.outcome?.holdID != nil { approvals.value.add(1, ordering: .relaxed) }
                        done.append(request)
                    }
                    return done
                }
            }
            var all: [LogicalAuthorization] = []
            for await done in group { all += done }
            return all
        }

        // Kill the Wallet mid-storm, start it again on its port.
        while approvals.value.load(ordering: .relaxed) < Self.killAfterApprovals && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        let approvedBeforeKill = approvals.value.load(ordering: .relaxed)
        let killedAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let killedAt = clock.now
        let exit = try await deployment.kill(service: "wallet", signal: SIGKILL)
        #expect(exit.bySignal && exit.status == SIGKILL, "the Wallet died of SIGKILL")
        try deployment.restart(service: "wallet")
        let toServing = try await deployment.waitUntilServing(service: "wallet")
        let requests = await stormResult
        let stormTime = clock.now - started

        // Every authorization was answered, approved or refused for want of money only.
        #expect(requests.count == Self.clients * Self.requestsPerClient)
        let unanswered = requests.filter { $0.outcome == nil }
        #expect(unanswered.isEmpty, "\(unanswered.count) authorizations never answered")
        var refusals: [String: Int] = [:]
        for case .refused(let code, let reason) in requests.compactMap(\.outcome) { refusals["\(code)/\(reason)", default: 0] += 1 }
        #expect(Set(refusals.keys).isSubset(of: ["FAILED_PRECONDITION/insufficient_funds"]), "refused otherwise: \(refusals)")
        #expect(!refusals.isEmpty, "the storm asked for more than the money covers")
        let approved = requests.filter { $0.outcome?.holdID != nil }
        let holdIDs = approved.compactMap { $0.outcome?.holdID }
        #expect(Set(holdIDs).count == holdIDs.count, "two authorizations were answered with the same hold")
        let retried = requests.filter { !$0.retryableFailures.isEmpty }
        let inFlightAtKill = requests.filter { request in
            guard let start = request.startedAt, let end = request.answeredAt else { return false }
            return start < killedAt && end > killedAt
        }
        #expect(!inFlightAtKill.isEmpty, "authorizations were in flight when the Wallet died")
        // The kill cost attempts that were repeated: by the test after an UNAVAILABLE it saw, or inside the
        // client, which re-sends a call the server never took, and one carrying an idempotency key.
        let clientRetries = agents.map(\.statistics).reduce(0) { $0 + $1.idempotentRetries + $1.transparentRetries }
        #expect(!retried.isEmpty || clientRetries > 0, "no attempt was repeated across the kill")
        let committedBeforeKill = retried.filter {
            if case .approved(_, let createdAtUs) = $0.outcome { return createdAtUs < killedAtUs }
            return false
        }

        // What was answered is exactly what was committed: one hold per approval, one idempotency record per request.
        let stored = try await probe.holds()
        #expect(stored.count == approved.count, "\(stored.count) holds stored, \(approved.count) approvals answered")
        #expect(Set(stored.map(\.id)) == Set(holdIDs), "stored holds differ from the approvals answered")
        #expect(stored.allSatisfy { $0.amount == Self.amount })
        #expect(try await probe.idempotencyRecords(method: "Authorize") == requests.count)

        // Never overspent; the money was used up except what expiry gave back.
        let afterStorm = try await probe.agentAccount()
        let pendingHeld = stored.filter { $0.status == "pending" }.reduce(Int64(0)) { $0 + $1.amount }
        #expect(afterStorm.balance == funded)
        #expect(afterStorm.held <= funded)
        #expect(afterStorm.held == pendingHeld)
        #expect(afterStorm.balance - afterStorm.held < Self.amount + afterStorm.expiredMicros,
                "available \(afterStorm.balance - afterStorm.held) left unspent beyond what expiry released (\(afterStorm.expiredMicros))")

        // A replay of any authorization, with its key and body, answers what was first answered.
        let replayer = deployment.client(.token(world.agent.token), retry: RetryPolicy())
        defer { replayer.close() }
        let replayWallet = try replayer.wallet()
        var replayMismatches: [String] = []
        for request in requests {
            var replay = LogicalAuthorization(key: request.key, body: request.body)
            await replay.settle(on: replayWallet, until: clock.now.advanced(by: .seconds(20)))
            if replay.outcome != request.outcome {
                replayMismatches.append("\(request.key): \(String(describing: request.outcome)) then \(String(describing: replay.outcome))")
            }
        }
        #expect(replayMismatches.isEmpty, "\(replayMismatches.prefix(5))")
        #expect(try await probe.holds().count == approved.count, "replays placed no new hold")

        // The sweeper releases every short hold; nothing past its expiry still holds money.
        let shortHolds = Set(approved.filter { $0.body.holdTTLSeconds == Self.shortTTLSeconds }.compactMap { $0.outcome?.holdID })
        var holds = try await probe.holds()
        let settleBy = clock.now.advanced(by: .seconds(20))
        while holds.contains(where: { $0.overdue || (shortHolds.contains($0.id) && $0.status == "pending") }) && clock.now < settleBy {
            try await Task.sleep(for: .milliseconds(200))
            holds = try await probe.holds()
        }
        #expect(!holds.contains { $0.overdue }, "holds past their expiry still pending")
        #expect(holds.filter { shortHolds.contains($0.id) }.allSatisfy { $0.status == "expired" })
        #expect(holds.filter { !shortHolds.contains($0.id) }.allSatisfy { $0.status == "pending" })
        let afterExpiry = try await probe.agentAccount()
        #expect(afterExpiry.held == holds.filter { $0.status == "pending" }.reduce(Int64(0)) { $0 + $1.amount })

        // Captures after the restart take effect once however often they are retried.
        let provider = deployment.client(.token(world.providerToken), retry: RetryPolicy())
        defer { provider.close() }
        let providerWallet = try provider.wallet()
        let toCapture = Array(holds.filter { $0.status == "pending" }.prefix(10))
        #expect(toCapture.count == 10)
        for hold in toCapture {
            let capture = Self.capture(tenantID: world.tenantID, holdID: hold.id)
            let key = UUID().uuidString.lowercased()
            async let first = providerWallet.capture(capture, idempotencyKey: key)
            async let second = providerWallet.capture(capture, idempotencyKey: key)
            let answers = try await [first, second, providerWallet.capture(capture, idempotencyKey: key)]
            #expect(Set(answers.map(\.entryID)).count == 1, "one capture entry answered to every retry")
            #expect(answers.allSatisfy { $0.capturedMicros == Self.amount })
            var refusedAgain: PurserClientError?
            do {
                _ = try await providerWallet.capture(capture, idempotencyKey: UUID().uuidString.lowercased())
            } catch {
                refusedAgain = error
            }
            #expect(refusedAgain?.isDenial == true, "a second capture of a captured hold, under another key, is refused")
        }
        let captures = try await probe.captureEntries()
        #expect(toCapture.allSatisfy { captures[$0.id] == 1 }, "\(captures)")
        #expect(captures.count == toCapture.count)
        let final = try await probe.agentAccount()
        #expect(final.balance == funded - Int64(toCapture.count) * Self.amount)
        #expect(final.held == afterExpiry.held - Int64(toCapture.count) * Self.amount)

        let finance = deployment.client(.token(world.financeToken), retry: RetryPolicy())
        defer { finance.close() }
        let audit = try await finance.wallet().audit(tenantID: world.tenantID)
        #expect(audit.clean && audit.discrepancies.isEmpty, "\(audit.discrepancies)")

        let attempts = requests.reduce(0) { $0 + $1.attempts }
        print("""
            crash: \(requests.count) authorizations by \(Self.clients) clients in \(stormTime); SIGKILL after \(approvedBeforeKill) approvals; \
            \(approved.count) approved, refusals \(refusals), \(inFlightAtKill.count) in flight at the kill, \(retried.count) retried by the test, \(clientRetries) re-sent by the client \
            (\(attempts - requests.count) extra attempts), \(committedBeforeKill.count) committed before the kill and answered by replay; \
            wallet SERVING \(toServing) after restart; \(shortHolds.count) short holds expired; 10 captures retried 3x each: 1 entry each
            """)
    }

    /// A capture of the whole of `holdID`.
    static func capture(tenantID: String, holdID: String) -> CaptureRequest {
        var capture = CaptureRequest()
        capture.tenantID = tenantID
        capture.holdID = holdID
        return capture
    }
}
