import Foundation
import PurserAPI
import PurserRPC
import PurserServiceHarness
import Synchronization
import PurserTestSupport
import Testing

/// Revoking an agent while its authorizations run concurrently: once
/// `Identity/RevokeAgent` returns, no authorization of that agent is approved.
@Suite struct IsolatedRevocationRaceTests {
    /// One approved authorization: when the request left, when the answer came back, and the Wallet's commit time.
    struct Approval: Sendable {
        let sent: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
        let committedAtUs: Int64
    }

    /// What the authorizing clients observed, written concurrently.
    final class RaceLog: Sendable {
        let approvals = Mutex<[Approval]>([])
        let refusals = Mutex<[String: Int]>([:])
        let stop = Atomic<Bool>(false)
    }

    static func nowUs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    @Test func noAuthorizationIsApprovedAfterRevokeAgentReturns() async throws {
        try await withWallet("rel_revocation") { harness in
            let world = try await harness.world("race", operatorToken: try await harness.operatorToken())
            try await harness.fund(world, agentMicros: 1_000_000_000)
            let log = RaceLog()
            let clock = ContinuousClock()

            let workers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            while !log.stop.load(ordering: .acquiring) {
                                let sent = clock.now
                                do {
                                    let response = try await harness.authorize(world, micros: 1_000)
                                    let approval = Approval(sent: sent, answered: clock.now, committedAtUs: response.createdAtUs)
                                    log.approvals.withLock { $0.append(approval) }
                                } catch let error as RPCError {
                                    log.refusals.withLock { $0[error.reason ?? "\(error.code)", default: 0] += 1 }
                                } catch {
                                    log.refusals.withLock { $0["\(error)", default: 0] += 1 }
                                }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(400))
            let revokeSent = clock.now
            let revoked = try await harness.identity(
                IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: world.tenantID, agentID: world.agentID, reason: "race"),
                token: world.adminToken)
            let revokeReturned = clock.now
            let revokeReturnedUs = Self.nowUs()
            try await Task.sleep(for: .milliseconds(1000))
            log.stop.store(true, ordering: .releasing)
            await workers.value

            let all = log.approvals.withLock { $0 }
            let sentAfter = all.filter { $0.sent > revokeReturned }
            let committedAfter = all.filter { $0.committedAtUs > revokeReturnedUs }
            let answeredAfter = all.filter { $0.answered > revokeReturned }
            let lastCommitUs = all.map(\.committedAtUs).max() ?? 0
            print("revocation race: \(all.count) approved before, refusals \(log.refusals.withLock { $0 }), RevokeAgent took \(revokeReturned - revokeSent), last approval committed \(revokeReturnedUs - lastCommitUs) µs before it returned, \(answeredAfter.count) answers arrived after it returned")
            #expect(revoked.acknowledged.contains("wallet"), "acknowledged: \(revoked.acknowledged), pending: \(revoked.pending)")
            #expect(all.count > 0, "no authorization was approved before the revocation: the race was not exercised")
            #expect(log.refusals.withLock { $0.values.reduce(0, +) } > 0, "no authorization was refused after the revocation")
            #expect(sentAfter.isEmpty, "\(sentAfter.count) authorizations sent after RevokeAgent returned were approved")
            #expect(committedAfter.isEmpty, "\(committedAfter.count) approvals committed after RevokeAgent returned")
            let late = await rpcError { _ = try await harness.authorize(world, micros: 1_000) }
            // The Wallet applied the revocation (it acknowledged it), so the agent's token is refused outright.
            #expect(late?.code == .unauthenticated, "\(String(describing: late))")
            #expect(late?.reason == "subject_revoked", "\(String(describing: late))")
        }
    }
}
