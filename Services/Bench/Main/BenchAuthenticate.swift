import Foundation
import PurserAPI
import PurserAuth
import PurserBench
import PurserRPC

/// Latency of Identity's Authenticate over TLS on loopback, one call at a
/// time: for an agent's valid secret (a token is issued) and for a
/// well-formed agent secret Identity never issued (refused UNAUTHENTICATED).
enum BenchAuthenticate {
    struct Latencies {
        let valid: LatencyHistogram
        let unknown: LatencyHistogram
    }

    /// Creates an agent (in a tenant of its own, as the operator), then
    /// alternates its secret and an unknown one for about `seconds` seconds
    /// (at least `minimum` calls of each); throws if the valid secret is
    /// refused or the unknown one accepted.
    static func latencies(_ system: BenchSystem, operatorToken: String, seconds: Int, minimum: Int = 50) async throws -> Latencies {
        let tenant = try await system.callIdentity(
            IdentityMethods.createTenant, CreateTenantRequest(slug: "auth", name: "Bench auth"), token: operatorToken)
        let key = try await system.callIdentity(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin), token: operatorToken)
        let agent = try await system.callIdentity(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "auth-agent"),
            token: try await system.token(key.secret))
        let agentSecret = agent.secret
        let unknown = try Secret.generate(prefix: .agentKey).exposedValue
        var valid = LatencyHistogram(), refused = LatencyHistogram()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(seconds))
        var calls = 0
        while calls < minimum || clock.now < deadline {
            let start = clock.now
            _ = try await system.token(agentSecret)
            valid.record(clock.now - start)
            let refusedStart = clock.now
            do {
                _ = try await system.token(unknown)
                throw BenchMicro.BenchFailure(description: "Identity issued a token for a secret it never issued")
            } catch let error as RPCError where error.code == .unauthenticated {
                refused.record(clock.now - refusedStart)
            }
            calls += 1
        }
        return Latencies(valid: valid, unknown: refused)
    }
}
