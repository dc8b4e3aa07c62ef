import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// FreezeAccount (service `identity`, Identity's `AgentRevocationNotice`):
    /// revokes the agent's account and voids its open holds in one
    /// transaction, before answering; every authorization that starts after
    /// the answer is denied `agent_revoked`. Repeats are no-ops.
    func registerFreeze() {
        handle(WalletMethods.freezeAccount) { request, _, _ in
            let tenant = try WalletRequest.id(request.tenantID, field: "tenant_id")
            let agent = try WalletRequest.id(request.agentID, field: "agent_id")
            let reason = try WalletRequest.text(request.reason, field: "reason", limit: 500)
            let currency = try await self.directory.currency(of: tenant)
            let receipt = try await self.ledger.freeze(tenant: tenant, agent: agent, currency: currency, reason: reason)
            self.host.logger.notice("account frozen", [
                "tenant": tenant.lowercased, "agent": agent.lowercased, "voided_holds": String(receipt.voidedHolds),
            ])
            var response = FreezeAccountResponse()
            response.voidedHolds = receipt.voidedHolds
            response.releasedMicros = receipt.releasedMicros
            return response
        }
    }
}
