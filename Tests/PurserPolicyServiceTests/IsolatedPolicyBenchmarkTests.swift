import Foundation
import PurserAPI
import PurserPolicy
import PurserWallet
import PurserRPC
import Testing

/// Prints figures; asserts only that every call was answered correctly. Runs
/// alone (an `Isolated` suite) so other suites do not disturb the figures.
@Suite("Policy benchmarks")
struct IsolatedPolicyBenchmarkTests {
    static let document = #"""
        {"per_call_max": "5.00",
         "limits": [{"amount": "50.00", "count": 100, "interval": "daily"},
                    {"amount": "10.00", "interval": "hourly", "categories": ["search"]},
                    {"amount": "500.00", "interval": "monthly"}],
         "blocked_providers": ["shady"]}
        """#

    @Test func evaluateOverTLSAndCachedPolicyFigures() async throws {
        try await withPolicy("benchmark") { h in
            let tenant = try await h.makeTenant("acme", timeZone: "Europe/Berlin")
            let agent = try await h.makeAgent("bot", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: Self.document),
                token: tenant.adminToken)
            let request = EvaluateRequest(
                tenantID: tenant.id, agentID: agent.id, amountMicros: 1_000_000, provider: "exa", category: "search")
            for _ in 0..<20 { _ = try await h.call(PolicyMethods.evaluate, request, via: h.wallet) }

            let clock = ContinuousClock()
            var latencies: [Duration] = []
            var allowed = 0
            for _ in 0..<300 {
                let start = clock.now
                let response = try await h.call(PolicyMethods.evaluate, request, via: h.wallet)
                latencies.append(clock.now - start)
                if response.allowed && response.limits.count == 3 { allowed += 1 }
            }
            latencies.sort()
            #expect(allowed == 300)

            let concurrent = 32, perTask = 50
            let started = clock.now
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrent {
                    group.addTask {
                        var ok = 0
                        for _ in 0..<perTask where try await h.call(PolicyMethods.evaluate, request, via: h.wallet).allowed {
                            ok += 1
                        }
                        return ok
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = clock.now - started
            #expect(answered == concurrent * perTask)

            let client = PolicyClient(client: h.wallet, ttl: .seconds(60))
            _ = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            let hits = 100_000
            let hitStart = clock.now
            var zone = ""
            for _ in 0..<hits { zone = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id).policy.timeZone.identifier }
            let hitElapsed = clock.now - hitStart
            #expect(zone == "Europe/Berlin")

            let snapshot = try await client.effectivePolicy(tenantID: tenant.id, agentID: agent.id)
            let spend = SpendRequest(amount: 1_000_000, provider: "exa", category: "search", at: Date())
            let evaluations = 20_000
            let engineStart = clock.now
            var admitted = 0
            for _ in 0..<evaluations {
                if case .allow = PolicyEngine.evaluate(policy: snapshot.policy, request: spend, counters: { _ in .zero }) {
                    admitted += 1
                }
            }
            let engineElapsed = clock.now - engineStart
            #expect(admitted == evaluations)

            func ms(_ d: Duration) -> String { String(format: "%.3f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
            func perOp(_ d: Duration, _ n: Int) -> String {
                String(format: "%.2f µs", (Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12) / Double(n))
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("""
                policy benchmark (this build's configuration, shared machine):
                  Evaluate over mTLS, sequential: p50 \(ms(latencies[latencies.count / 2])), p99 \(ms(latencies[latencies.count * 99 / 100]))
                  Evaluate over mTLS, \(concurrent) concurrent callers: \(Int(Double(concurrent * perTask) / seconds)) calls/s
                  PolicyClient cache hit: \(perOp(hitElapsed, hits)) per call
                  PolicyEngine.evaluate on the cached policy (3 limits): \(perOp(engineElapsed, evaluations)) per call
                """)
        }
    }
}
