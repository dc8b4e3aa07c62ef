import Foundation
import PurserKit
import PurserAPI
import PurserPolicy
import PurserRPC
import PurserTestSupport
import PurserWallet
import PurserPolicyService
import Testing

@Suite("PolicyClient cache")
struct PolicyClientTests {
    @Test func aPolicyChangeIsVisibleWithinTheTTL() async throws {
        try await withPolicy("client_fresh") { h in
            let tenant = try await h.makeTenant("acme", timeZone: "Asia/Tokyo")
            let agent = try await h.makeAgent("bot", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "5.00"}"#),
                token: tenant.adminToken)
            // 3 s: far from the moment between the first two reads, which must share one fetch.
            let ttl = Duration.seconds(3)
            let client = PolicyClient(client: h.wallet, ttl: ttl, timeout: .seconds(10))

            let first = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            #expect(first.policy.perCallMax?.amount == 5_000_000)
            #expect(first.policy.timeZone.identifier == "Asia/Tokyo")
            #expect(first.tenantVersion == 1)
            let cached = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            #expect(cached.fetchedAt == first.fetchedAt)

            _ = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(tenantID: tenant.id, agentID: agent.id, documentJSON: #"{"per_call_max": "1.00"}"#),
                token: tenant.adminToken)
            let tenantID = tenant.id, agentID = agent.id
            try await waitUntil("the cached policy to expire and the change to show", timeout: .seconds(30), interval: .milliseconds(100)) {
                try await client.effectivePolicy(tenantID: tenantID, agentID: agentID).agentVersion == 1
            }
            let fresh = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            #expect(fresh.agentVersion == 1)
            #expect(fresh.policy.perCallMax?.amount == 1_000_000)
            #expect(fresh.policy.perCallMax?.source == RuleSource(level: .agent, version: 1, agentID: agent.id))
            #expect(fresh.etag != first.etag)
        }
    }

    @Test func concurrentMissesShareOneFetch() async throws {
        try await withPolicy("client_coalesce") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            let client = PolicyClient(client: h.wallet, ttl: .seconds(5), timeout: .seconds(10))
            let fetches = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id).fetchedAt }
                }
                return try await group.reduce(into: Set<ContinuousClock.Instant>()) { $0.insert($1) }
            }
            #expect(fetches.count == 1)
            #expect(client.cachedCount == 1)
            client.invalidate(tenantID: tenant.id, agentID: agent.id)
            #expect(client.cachedCount == 0)
        }
    }

    @Test func theCachedPolicyDecidesLikeEvaluate() async throws {
        try await withPolicy("client_decides") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(
                    tenantID: tenant.id,
                    documentJSON: #"{"limits": [{"amount": "10.00", "interval": "daily"}], "blocked_providers": ["shady"]}"#),
                token: tenant.adminToken)
            let client = PolicyClient(client: h.wallet, timeout: .seconds(10))
            let snapshot = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            let spent = LimitUsage(spent: 9_000_000, count: 3)
            let at = Date()
            let over = PolicyEngine.evaluate(
                policy: snapshot.policy, request: SpendRequest(amount: 1_000_001, provider: "exa", at: at),
                counters: { _ in spent })
            let exact = PolicyEngine.evaluate(
                policy: snapshot.policy, request: SpendRequest(amount: 1_000_000, provider: "exa", at: at),
                counters: { _ in spent })
            let blocked = PolicyEngine.evaluate(
                policy: snapshot.policy, request: SpendRequest(amount: 1, provider: "shady", at: at), counters: { _ in .zero })
            guard case .deny(let denial) = over else {
                Issue.record("expected a denial, got \(over)")
                return
            }
            #expect(denial.reason == .limitExceeded)
            #expect(denial.headroom == 1_000_000)
            #expect(exact.counterUpdates.map(\.limitID) == ["daily"])
            guard case .deny(let providerDenial) = blocked else {
                Issue.record("expected a denial, got \(blocked)")
                return
            }
            #expect(providerDenial.reason == .providerBlocked)
        }
    }

    /// What `EvaluateTests.document` plus the agent's daily search limit of 8.00
    /// decide, written out from the design rather than computed: the denial's
    /// reason and headroom (nil when allowed), and for an approval each limit's
    /// window key at 01:59:59 CET on 29 March 2026, a second before Berlin
    /// moves to summer time.
    struct Expected: Sendable, CustomTestStringConvertible {
        var reason: String?
        var headroom: Int64 = -1
        var windows: [String: String] = [:]
        var testDescription: String { reason ?? "allowed \(windows.keys.sorted())" }
    }

    @Test(arguments: [
        (4_000_000, "exa", "search", "", Expected(reason: "limit_exceeded", headroom: 3_000_000)),
        (5_000_001, "exa", "search", "", Expected(reason: "per_call_max_exceeded", headroom: 5_000_000)),
        (1_000_000, "shady", "", "", Expected(reason: "provider_blocked")),
        (2_500_000, "exa", "travel", "task-9", Expected(reason: nil, windows: [
            "daily": "d:2026-03-29", "weekly": "w:2026-W13", "monthly": "m:2026-03", "lifetime": "life",
            "per_task": "task:task-9",
        ])),
        (9_000_000, "exa", "search", "task-9", Expected(reason: "per_call_max_exceeded", headroom: 5_000_000)),
    ])
    func theSnapshotAnswersExactlyLikeEvaluate(
        _ amount: Int64, _ provider: String, _ category: String, _ task: String, _ expected: Expected
    ) async throws {
        try await withPolicy("client_same_answer", at: utc("2026-03-29T00:59:59Z")) { h in
            let tenant = try await h.makeTenant("acme", timeZone: "Europe/Berlin")
            let agent = try await h.makeAgent("bot", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: EvaluateTests.document), token: tenant.adminToken)
            _ = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(
                    tenantID: tenant.id, agentID: agent.id,
                    documentJSON: #"{"limits": [{"amount": "8.00", "interval": "daily", "categories": ["search"]}]}"#),
                token: tenant.adminToken)
            let server = try await h.call(
                PolicyMethods.evaluate,
                EvaluateRequest(
                    tenantID: tenant.id, agentID: agent.id, amountMicros: amount, provider: provider, category: category,
                    taskID: task),
                via: h.wallet)
            let snapshot = try await PolicyClient(client: h.wallet, timeout: .seconds(10)).effectivePolicy(
                tenantID: tenant.id, agentID: agent.id)
            let local = EvaluateResponse(
                policy: snapshot.policy,
                spend: SpendRequest(
                    amount: amount, provider: provider, category: category, taskID: task.isEmpty ? nil : task,
                    at: h.clock.now),
                tenantVersion: snapshot.tenantVersion, agentVersion: snapshot.agentVersion, etag: snapshot.etag)
            #expect(local == server)
            #expect(server.allowed == (expected.reason == nil))
            #expect(server.denial?.reason == expected.reason)
            if expected.reason != nil {
                #expect(server.denial?.headroomMicros == expected.headroom)
            } else {
                #expect(Dictionary(uniqueKeysWithValues: server.limits.map { ($0.limitID, $0.windowKey) }) == expected.windows)
            }
        }
    }

    @Test func policyServiceDownFailsClosed() async throws {
        try await withPolicy("client_down") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            let ttl = Duration.milliseconds(200)
            let client = PolicyClient(client: h.wallet, ttl: ttl, timeout: .seconds(10))
            _ = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)

            try await h.policyHost.shutdown()
            // Waits out the TTL this test is about; the snapshot was fetched before the sleep began, so it has expired after it.
            try await Task.sleep(for: ttl)
            do throws(RPCError) {
                let snapshot = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
                Issue.record("served a policy after its TTL with Policy down: \(snapshot.etag)")
            } catch {
                #expect(error.reason == "policy_unavailable")
                #expect(RPCError.policyUnavailable(error).code == .unavailable)
                #expect(RPCError.policyUnavailable(error).reason == "policy_unavailable")
            }
        }
    }

    @Test func unreachablePolicyFailsClosedFromTheStart() async throws {
        let logger = PurserKit.Logger(label: "policy-client-test", level: .error)
        let rpc = try TestRPC.client(port: try TestRPC.freePort(), certificate: "wallet", logger: logger)
        defer { rpc.close() }
        let client = PolicyClient(client: rpc, timeout: .seconds(1))
        let tenantID = UUID().uuidString.lowercased()
        let agentID = UUID().uuidString.lowercased()
        let error = await rpcError { _ = try await client.effectivePolicy(tenantID: tenantID, agentID: agentID) }
        #expect(error?.code == .unavailable)
        #expect(error?.reason == "policy_unavailable")
        #expect(client.cachedCount == 0)
    }
}
