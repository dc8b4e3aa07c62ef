import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import Synchronization

extension WebhookSystemTests {
    /// The RPC calls the webhook tests make, as the world's admin (or an agent).
    struct Calls {
        let identity: RPCClient
        let wallet: RPCClient
        let policy: RPCClient
        let world: Deployment.World

        init(_ deployment: Deployment, _ world: Deployment.World) throws {
            identity = try deployment.client("identity")
            wallet = try deployment.client("wallet")
            policy = try deployment.client("policy")
            self.world = world
        }

        func close() {
            identity.close()
            wallet.close()
            policy.close()
        }

        var admin: Metadata { ["authorization": "Bearer \(world.adminToken)", "idempotency-key": UUID().uuidString] }

        func createEndpoint(url: String, types: [String] = []) async throws -> CreateWebhookEndpointResponse {
            var request = CreateWebhookEndpointRequest()
            request.url = url
            request.eventTypes = types
            request.description = "system test receiver"
            return try await identity.call(IdentityMethods.createWebhookEndpoint, request, metadata: admin, timeout: .seconds(20))
        }

        func deliveries(_ endpointID: String) async throws -> [WebhookDelivery] {
            var request = ListWebhookDeliveriesRequest()
            request.endpointID = endpointID
            request.pageSize = 500
            return try await identity.call(IdentityMethods.listWebhookDeliveries, request, metadata: admin, timeout: .seconds(20)).deliveries
        }

        func setBalanceAlert(_ agentID: String, below micros: Int64) async throws -> WalletBalance {
            var request = SetBalanceAlertRequest()
            request.agentID = agentID
            request.balanceLowMicros = micros
            return try await wallet.call(WalletMethods.setBalanceAlert, request, metadata: admin, timeout: .seconds(20))
        }

        func setAgentPolicy(_ agentID: String, _ document: String) async throws -> PolicyVersion {
            try await policy.call(
                PolicyMethods.setAgentPolicy, SetAgentPolicyRequest(tenantID: world.tenantID, agentID: agentID, documentJSON: document),
                metadata: admin, timeout: .seconds(20))
        }

        /// Funds the tenant with `micros` (as the operator) and allocates them to `agentID`.
        func allocate(_ micros: Int64, to agentID: String) async throws {
            var fund = FundRequest()
            fund.tenantID = world.tenantID
            fund.amountMicros = micros
            fund.externalReference = "wire-\(UUID().uuidString.prefix(8))"
            _ = try await wallet.call(
                WalletMethods.fund, fund,
                metadata: ["authorization": "Bearer \(world.operatorToken)", "idempotency-key": UUID().uuidString],
                timeout: .seconds(20))
            var request = AllocateRequest()
            request.agentID = agentID
            request.amountMicros = micros
            _ = try await wallet.call(WalletMethods.allocate, request, metadata: admin, timeout: .seconds(20))
        }

        func suspend(_ agentID: String, _ suspended: Bool) async throws {
            let request = GetAgentRequest(tenantID: world.tenantID, agentID: agentID)
            _ = try await identity.call(
                suspended ? IdentityMethods.suspendAgent : IdentityMethods.resumeAgent, request, metadata: admin, timeout: .seconds(20))
        }

        func revoke(_ agentID: String) async throws {
            var request = RevokeAgentRequest()
            request.tenantID = world.tenantID
            request.agentID = agentID
            request.reason = "webhook test"
            _ = try await identity.call(IdentityMethods.revokeAgent, request, metadata: admin, timeout: .seconds(20))
        }

        /// `count` charges of `micros` to the world's provider by the agent
        /// holding `token`, 16 at a time; answers how many were approved.
        func charges(_ count: Int, of micros: Int64, as token: String) async throws -> Int {
            let next = Counter(count)
            let providerID = world.providerID
            let wallet = self.wallet
            return try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<min(16, count) {
                    group.addTask {
                        var approved = 0
                        while next.take() {
                            var request = ChargeRequest()
                            request.amountMicros = micros
                            request.providerID = providerID
                            do {
                                _ = try await wallet.call(
                                    WalletMethods.charge, request,
                                    metadata: ["authorization": "Bearer \(token)", "idempotency-key": UUID().uuidString],
                                    timeout: .seconds(30))
                                approved += 1
                            } catch let error as RPCError where error.code == .failedPrecondition {
                                continue
                            }
                        }
                        return approved
                    }
                }
                return try await group.reduce(0, +)
            }
        }
    }

    /// Hands out `count` turns to concurrent workers.
    final class Counter: Sendable {
        private let left: Mutex<Int>
        init(_ count: Int) { left = Mutex(count) }
        func take() -> Bool {
            left.withLock { left in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
        }
    }
}
