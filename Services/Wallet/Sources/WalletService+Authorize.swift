import Foundation
import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// Authorize (agent): places a hold on the caller's own account. Charge
    /// (agent, or a provider presenting the agent's token in the
    /// `agent-authorization` metadata entry): places and captures it in one
    /// transaction. Both go through the group commit (`AuthorizationCoalescer`); a denial
    /// (insufficient_funds, agent_revoked, account_frozen, limit_exceeded) is
    /// stored under the idempotency key like an approval. With a `PolicyClient`
    /// both are first checked against the agent's effective policy: a static
    /// refusal (`per_call_max_exceeded`, `category_blocked`, `provider_blocked`,
    /// a `limit_exceeded` whose whole cap is below the amount) goes to the
    /// ledger as the request's outcome (stored under the idempotency key), the
    /// applicable limits are counted by the ledger.
    func registerAuthorization() {
        handle(WalletMethods.authorize) { request, principal, context in
            let (tenant, agent) = try Self.agentIdentity(principal)
            let command = try await self.command(
                .authorize, tenant: tenant, agent: agent, amountMicros: request.amountMicros, providerID: request.providerID, category: request.category,
                taskID: request.taskID, description: request.description, ttlSeconds: request.holdTTLSeconds,
                scope: try WalletRequest.scope(principal, context))
            let receipt = try await self.coalescer.authorize(tenant: tenant, agent: agent, command)
            var response = AuthorizeResponse()
            response.holdID = receipt.holdID.lowercased
            response.amountMicros = receipt.amountMicros
            response.expiresAtUs = receipt.expiresAtUs
            response.availableAfterMicros = receipt.availableAfterMicros
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
        handle(WalletMethods.charge) { request, principal, context in
            var providerID = request.providerID
            let payer: Principal
            if case .provider(let caller) = principal {
                guard providerID.isEmpty || providerID.lowercased() == caller.lowercased() else {
                    throw WalletError.permissionDenied("a provider may only charge for itself")
                }
                providerID = caller
                payer = try await self.agentFromMetadata(context)
            } else {
                payer = principal
            }
            let (tenant, agent) = try Self.agentIdentity(payer)
            let command = try await self.command(
                .charge, tenant: tenant, agent: agent, amountMicros: request.amountMicros, providerID: providerID, category: request.category,
                taskID: request.taskID, description: request.description, ttlSeconds: 0,
                scope: try WalletRequest.scope(principal, context))
            let receipt: AuthorizationReceipt
            do {
                receipt = try await self.coalescer.authorize(tenant: tenant, agent: agent, command)
            } catch let error as WalletError where principal.kind == .provider {
                throw error.forPayee
            }
            var response = ChargeResponse()
            response.holdID = receipt.holdID.lowercased
            response.entryID = receipt.captureEntryID?.lowercased ?? ""
            response.amountMicros = receipt.amountMicros
            response.availableAfterMicros = Self.payerBalance(receipt.availableAfterMicros, shownTo: principal)
            response.currency = receipt.currency
            response.createdAtUs = receipt.createdAtUs
            return response
        }
    }

    /// The tenant and agent ids of an agent principal.
    static func agentIdentity(_ principal: Principal) throws(WalletError) -> (UUID, UUID) {
        guard case .agent(let tenant, let agent) = principal else {
            throw WalletError.permissionDenied("only an agent spends from an account")
        }
        return (try WalletRequest.id(tenant, field: "token tenant"), try WalletRequest.id(agent, field: "token subject"))
    }

    /// The agent whose token a provider presents in `agent-authorization`.
    private func agentFromMetadata(_ context: ServerContext) async throws -> Principal {
        guard let authorization = context.metadata["agent-authorization"] else {
            throw WalletError(.unauthenticated, reason: "agent_token_missing",
                              "agent-authorization: a provider charging an agent presents the agent's token")
        }
        let principal: Principal
        do {
            principal = try await host.verifier.verify(authorization: authorization).principal
        } catch {
            throw WalletError(.unauthenticated, reason: "agent_token_invalid", "agent-authorization: \(error.reason)")
        }
        guard principal.kind == .agent else {
            throw WalletError(.unauthenticated, reason: "agent_token_invalid", "agent-authorization: not an agent's token")
        }
        return principal
    }

    /// Validates an authorization request, resolves its payee and category and
    /// applies the agent's spending policy (see `policyDecision`).
    private func command(
        _ kind: AuthorizationCommand.Kind, tenant: UUID, agent: UUID, amountMicros: Int64, providerID: String, category: String, taskID: String,
        description: String, ttlSeconds: Int32, scope: IdempotencyScope
    ) async throws -> AuthorizationCommand {
        let amount = try WalletRequest.amount(amountMicros, maximum: settings.maximumAmountMicros)
        let provider = try WalletRequest.id(providerID, field: "provider_id")
        let taskID = try WalletRequest.text(taskID, field: "task_id", limit: 200)
        let description = try WalletRequest.text(description, field: "description", limit: 500)
        var category = try WalletRequest.text(category, field: "category", limit: 64)
        let maximumSeconds = settings.maximumHoldTTL.components.seconds
        guard ttlSeconds >= 0, Int64(ttlSeconds) <= maximumSeconds else {
            throw WalletError.invalid("hold_ttl_seconds", "must be between 0 and \(maximumSeconds)", reason: "hold_ttl_invalid")
        }
        let ttl = ttlSeconds == 0 ? settings.defaultHoldTTL.microseconds : Int64(ttlSeconds) * 1_000_000
        guard let facts = try await directory.provider(provider) else {
            throw WalletError(.failedPrecondition, reason: "payee_unknown", "provider_id: no such provider")
        }
        if category.isEmpty { category = facts.defaultCategory }
        let policy = try await policyDecision(
            tenant: tenant, agent: agent, amountMicros: amount, providerSlug: facts.slug, category: category, taskID: taskID)
        return AuthorizationCommand(
            kind: kind, scope: scope, providerID: provider, category: category, taskID: taskID, description: description,
            amountMicros: amount, holdTTLMicros: ttl, limits: policy.limits, refusal: policy.refusal)
    }
}
