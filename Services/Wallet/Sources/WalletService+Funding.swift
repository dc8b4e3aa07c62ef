import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Fund (operator for any tenant, tenant admin for its own): funding →
    /// treasury, with a required external reference. Allocate / Reclaim
    /// (tenant admin): treasury ↔ one of the tenant's agents. All idempotent.
    func registerFunding() {
        handle(WalletMethods.fund) { request, principal, context in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            let amount = try WalletRequest.amount(request.amountMicros, maximum: self.settings.maximumAmountMicros)
            let reference = try WalletRequest.text(request.externalReference, field: "external_reference", limit: 200)
            guard !reference.isEmpty else { throw RPCError.invalid("external_reference", "is required") }
            let description = try WalletRequest.text(request.description, field: "description", limit: 500)
            let scope = try WalletRequest.scope(principal, context)
            let currency = try await self.directory.currency(of: tenant)
            let receipt = try await self.ledger.fund(
                tenant: tenant, currency: currency, amountMicros: amount, reference: reference, description: description,
                scope: scope)
            var response = FundResponse()
            response.entryID = receipt.entryID.lowercased
            response.amountMicros = receipt.amountMicros
            response.treasuryBalanceMicros = receipt.treasuryBalanceMicros
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
        handle(WalletMethods.allocate) { request, principal, context in
            try await self.transfer(
                allocate: true, agentID: request.agentID, amountMicros: request.amountMicros,
                description: request.description, principal: principal, context: context)
        }
        handle(WalletMethods.reclaim) { request, principal, context in
            try await self.transfer(
                allocate: false, agentID: request.agentID, amountMicros: request.amountMicros,
                description: request.description, principal: principal, context: context)
        }
    }

    private func transfer(
        allocate: Bool, agentID: String, amountMicros: Int64, description: String, principal: Principal,
        context: ServerContext
    ) async throws -> TransferResponse {
        let tenant = try WalletRequest.tenant(principal, requested: "")
        let agent = try WalletRequest.id(agentID, field: "agent_id")
        let amount = try WalletRequest.amount(amountMicros, maximum: settings.maximumAmountMicros)
        let description = try WalletRequest.text(description, field: "description", limit: 500)
        let scope = try WalletRequest.scope(principal, context)
        try await directory.requireAgent(agent, in: tenant)
        let currency = try await directory.currency(of: tenant)
        let receipt = allocate
            ? try await ledger.allocate(
                tenant: tenant, currency: currency, agent: agent, amountMicros: amount, description: description, scope: scope)
            : try await ledger.reclaim(
                tenant: tenant, currency: currency, agent: agent, amountMicros: amount, description: description, scope: scope)
        var response = TransferResponse()
        response.entryID = receipt.entryID.lowercased
        response.amountMicros = receipt.amountMicros
        response.agentBalanceMicros = receipt.agentBalanceMicros
        response.agentAvailableMicros = receipt.agentAvailableMicros
        response.treasuryBalanceMicros = receipt.treasuryBalanceMicros
        response.currency = receipt.currency
        response.createdAtUs = receipt.createdAtUs
        return response
    }
}
