import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import PurserService

/// The Policy service (`purser.policy.v1.Policy`): versioned spending policies
/// per tenant and per agent, their merged effective view, and the static
/// evaluation of a spend with the limits the Wallet must enforce.
///
/// Who may call what: tenant admins write documents and simulate; admins and
/// finance read versions and effective policies; an agent reads its own
/// effective policy, and writes and reads the overrides of its descendants
/// (sub-agents, their sub-agents, …), never its own or an ancestor's;
/// service `identity` writes a sub-agent's override at its creation; service
/// `wallet` (mutual TLS) evaluates and reads effective policies for its
/// cache. Another tenant's ids, and an agent id outside an agent's subtree,
/// answer NOT_FOUND.
package final class PolicyService: Sendable {
    let host: ServiceHost
    let store: PolicyStore
    let directory: TenantDirectory
    /// The Wallet's spend counters, read by Simulate.
    let wallet: WalletLink
    /// The evaluation clock; injected by tests to pin windows.
    let now: @Sendable () -> Date

    /// Builds the service on `host`'s pool and registers every handler on its
    /// router; Simulate reads spend so far from `wallet`.
    package init(
        host: ServiceHost, directory: TenantDirectory, wallet: WalletLink,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.store = PolicyStore(pool: host.pool)
        self.directory = directory
        self.wallet = wallet
        self.now = now
        register()
    }

    private func register() {
        host.handle(PolicyMethods.setTenantPolicy, allowing: [.tenantAdmin]) { [self] request, principal, context in
            try await setTenantPolicy(request, principal, context)
        }
        host.handle(PolicyMethods.setAgentPolicy, allowing: [.tenantAdmin, .agent, .service], services: ["identity"]) {
            [self] request, principal, context in
            try await setAgentPolicy(request, principal, context)
        }
        host.handle(PolicyMethods.listPolicyVersions, allowing: [.tenantAdmin, .tenantFinance, .agent]) {
            [self] request, principal, _ in
            try await listPolicyVersions(request, principal)
        }
        host.handle(
            PolicyMethods.getEffectivePolicy, allowing: [.tenantAdmin, .tenantFinance, .agent, .service], services: ["wallet"]
        ) { [self] request, principal, _ in
            try await getEffectivePolicy(request, principal)
        }
        host.handle(PolicyMethods.evaluate, allowing: [.service], services: ["wallet"]) { [self] request, _, _ in
            try await evaluate(request, withSpend: false)
        }
        host.handle(PolicyMethods.simulate, allowing: [.tenantAdmin]) { [self] request, principal, _ in
            try principal.requireTenant(request.tenantID)
            return try await evaluate(request, withSpend: true)
        }
    }

    /// For an agent caller, passes when it is a strict ancestor of agent
    /// `agentID` of `tenantID` (asked of Identity, cached), or the agent itself
    /// when `allowSelf`; an agent acting on itself without `allowSelf` is
    /// PERMISSION_DENIED (an agent may not loosen its own limits), any other
    /// agent id NOT_FOUND, as for an agent that does not exist. Other
    /// principals pass: their own rules apply.
    func requireAgentReach(_ principal: Principal, tenantID: String, agentID: String, allowSelf: Bool) async throws {
        guard case .agent(let tenant, let ownID) = principal else { return }
        guard tenant == tenantID else { throw AuthError.notFound }
        if ownID == agentID {
            guard allowSelf else { throw AuthError.roleNotAllowed }
            return
        }
        guard try await directory.ancestors(tenantID: tenantID, agentID: agentID).contains(ownID) else {
            throw AuthError.notFound
        }
    }

    /// Who made a change: `<role>:<token subject>` for token callers, `service:<name>` otherwise.
    func author(_ principal: Principal, _ context: ServerContext) async -> String {
        if let authorization = context.metadata["authorization"],
            let verified = try? await host.verifier.verify(authorization: authorization)
        {
            return "\(verified.claims.role.rawValue):\(verified.claims.subject)"
        }
        if case .service(let name) = principal { return "service:\(name)" }
        return principal.kind.rawValue
    }

    /// Parses a canonical lowercase UUID, naming `field` when it is not one.
    static func uuid(_ text: String, field: String) throws(RPCError) -> UUID {
        guard let id = UUID(uuidString: text), id.uuidString.lowercased() == text else {
            throw .invalidField(field, "must be a lowercase UUID")
        }
        return id
    }

    /// Microseconds since the Unix epoch.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
