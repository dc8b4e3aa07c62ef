import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Fund (operator for any tenant, tenant admin for its own): funding →
    /// treasury, with a required external reference. Allocate / Reclaim
    /// (tenant admin): treasury ↔ one of the tenant's agents; with
    /// `from_agent_id` / `to_agent_id`: an ancestor ↔ its descendant
    /// `agent_id` (tenant admin; an agent naming itself as the ancestor;
    /// service `identity` for Allocate, funding a new sub-agent). Anything
    /// else (not an ancestor, another tenant's agent) is NOT_FOUND. All idempotent.
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
                allocate: true, agentID: request.agentID, ancestorID: request.fromAgentID, ancestorField: "from_agent_id",
                tenantID: request.tenantID, amountMicros: request.amountMicros, description: request.description,
                principal: principal, context: context)
        }
        handle(WalletMethods.reclaim) { request, principal, context in
            try await self.transfer(
                allocate: false, agentID: request.agentID, ancestorID: request.toAgentID, ancestorField: "to_agent_id",
                tenantID: "", amountMicros: request.amountMicros, description: request.description,
                principal: principal, context: context)
        }
    }

    private func transfer(
        allocate: Bool, agentID: String, ancestorID: String, ancestorField: String, tenantID: String, amountMicros: Int64,
        description: String, principal: Principal, context: ServerContext
    ) async throws -> TransferResponse {
        let tenant = try WalletRequest.tenant(principal, requested: tenantID)
        let agent = try WalletRequest.id(agentID, field: "agent_id")
        if !ancestorID.isEmpty || principal.kind != .tenantAdmin {
            return try await moveInTree(
                allocate ? .delegate : .return, tenant: tenant, agent: agent, ancestorID: ancestorID, ancestorField: ancestorField,
                amountMicros: amountMicros, description: description, principal: principal, context: context)
        }
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

    /// A move between `agent` and its ancestor `ancestorID`: the caller is the
    /// tenant's admin, the ancestor itself, or (delegating) service `identity`.
    private func moveInTree(
        _ kind: TreeMove, tenant: UUID, agent: UUID, ancestorID: String, ancestorField: String, amountMicros: Int64,
        description: String, principal: Principal, context: ServerContext
    ) async throws -> TransferResponse {
        guard !ancestorID.isEmpty else {
            throw RPCError.invalid(ancestorField, "is required: an agent moves credits only from or to itself")
        }
        let ancestor = try WalletRequest.id(ancestorID, field: ancestorField)
        switch principal {
        case .tenantAdmin: break
        case .agent(_, let own):
            guard ancestor.lowercased == own.lowercased() else { throw RPCError.notFound("agent") }
        case .service("identity") where kind == .delegate: break
        default: throw RPCError(.permissionDenied, "this caller may not move credits between agents", reason: "permission_denied")
        }
        let amount = try WalletRequest.amount(amountMicros, maximum: settings.maximumAmountMicros)
        let description = try WalletRequest.text(description, field: "description", limit: 500)
        let scope = try WalletRequest.scope(principal, context)
        try await directory.requireAncestor(ancestor, of: agent, in: tenant)
        let currency = try await directory.currency(of: tenant)
        let receipt = try await ledger.moveInTree(
            kind, tenant: tenant, currency: currency, agent: agent, ancestor: ancestor, amountMicros: amount,
            description: description, scope: scope)
        var response = TransferResponse()
        response.entryID = receipt.entryID.lowercased
        response.amountMicros = receipt.amountMicros
        response.agentBalanceMicros = receipt.agentBalanceMicros
        response.agentAvailableMicros = receipt.agentAvailableMicros
        response.treasuryBalanceMicros = receipt.treasuryBalanceMicros
        response.counterpartBalanceMicros = receipt.counterpartBalanceMicros
        response.counterpartAvailableMicros = receipt.counterpartAvailableMicros
        response.currency = receipt.currency
        response.createdAtUs = receipt.createdAtUs
        return response
    }
}
