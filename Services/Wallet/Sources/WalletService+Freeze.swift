import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// FreezeAccount (service `identity`, Identity's `AgentRevocationNotice`):
    /// revokes the agent's account, voids its open holds and moves its whole
    /// remaining balance to `return_to_agent_id` (its nearest live ancestor),
    /// or to the tenant's treasury when that is "" or revoked, in one
    /// transaction, before answering; every authorization that starts after
    /// the answer is denied `agent_revoked`. Repeats are no-ops.
    func registerFreeze() {
        handle(WalletMethods.freezeAccount) { request, _, _ in
            let tenant = try WalletRequest.id(request.tenantID, field: "tenant_id")
            let agent = try WalletRequest.id(request.agentID, field: "agent_id")
            let reason = try WalletRequest.text(request.reason, field: "reason", limit: 500)
            let returnTo = request.returnToAgentID.isEmpty
                ? nil : try WalletRequest.id(request.returnToAgentID, field: "return_to_agent_id")
            let currency = try await self.directory.currency(of: tenant)
            let receipt = try await self.ledger.freeze(
                tenant: tenant, agent: agent, currency: currency, reason: reason, returnTo: returnTo)
            self.host.logger.notice("account frozen", [
                "tenant": tenant.lowercased, "agent": agent.lowercased, "voided_holds": String(receipt.voidedHolds),
                "returned_micros": String(receipt.returnedMicros), "returned_to": receipt.returnedTo?.lowercased ?? "treasury",
            ])
            var response = FreezeAccountResponse()
            response.voidedHolds = receipt.voidedHolds
            response.releasedMicros = receipt.releasedMicros
            response.returnedMicros = receipt.returnedMicros
            response.returnedToAgentID = receipt.returnedTo?.lowercased ?? ""
            return response
        }
    }
}
