import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserRPC

extension WalletService {
    /// Authorize (agent): places a hold on the caller's own account. Charge
    /// (agent, or a provider presenting the agent's payment token in the
    /// `agent-authorization` metadata entry): places and captures it in one
    /// transaction. An agent's own charges go through the group commit
    /// (`AuthorizationCoalescer`); a provider's go through
    /// `Ledger.charge(…under:)`, which counts them against the payment token in
    /// the same transaction. A denial (insufficient_funds, agent_revoked,
    /// account_frozen, limit_exceeded) is stored under the idempotency key like
    /// an approval. With a `PolicyClient` both are first checked against the
    /// agent's effective policy: a static refusal (`per_call_max_exceeded`,
    /// `category_blocked`, `provider_blocked`, a `limit_exceeded` whose whole
    /// cap is below the amount) goes to the ledger as the request's outcome
    /// (stored under the idempotency key), the applicable limits are counted by
    /// the ledger. A provider never learns the agent's balance: its answer
    /// carries `available_after_micros` 0 and its denials no balance or headroom.
    /// An agent's refused spends are recorded for ListDenials (`recordingDenials`).
    func registerAuthorization() {
        handle(WalletMethods.authorize) { request, principal, context in
            let (tenant, agent) = try Self.agentIdentity(principal)
            let scope = try WalletRequest.scope(principal, context)
            let receipt = try await self.recordingDenials(
                tenant: tenant, agent: agent, method: "authorize", amountMicros: request.amountMicros,
                providerID: request.providerID, category: request.category
            ) { try await self.decide(tenant: tenant, method: .authorize) { () async throws in
                let command = try await self.command(
                    .authorize, tenant: tenant, agent: agent, amountMicros: request.amountMicros, providerID: request.providerID,
                    category: request.category, taskID: request.taskID, description: request.description,
                    ttlSeconds: request.holdTTLSeconds, scope: scope, payeeAgentID: request.payeeAgentID,
                    payeeAgent: request.payeeAgent)
                return try await self.coalescer.authorize(tenant: tenant, agent: agent, command)
            } }
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
            let receipt: AuthorizationReceipt
            if case .provider(let caller) = principal {
                guard request.providerID.isEmpty || request.providerID.lowercased() == caller.lowercased() else {
                    throw RPCError.permissionDenied("a provider may only charge for itself")
                }
                guard request.payeeAgentID.isEmpty, request.payeeAgent.isEmpty else {
                    throw RPCError.invalid("payee_agent_id", "a provider charges for itself", reason: "payee_invalid")
                }
                receipt = try await self.providerCharge(request, provider: caller, principal: principal, context)
            } else {
                let (tenant, agent) = try Self.agentIdentity(principal)
                let scope = try WalletRequest.scope(principal, context)
                receipt = try await self.recordingDenials(
                    tenant: tenant, agent: agent, method: "charge", amountMicros: request.amountMicros,
                    providerID: request.providerID, category: request.category
                ) { try await self.decide(tenant: tenant, method: .charge) { () async throws in
                    let command = try await self.command(
                        .charge, tenant: tenant, agent: agent, amountMicros: request.amountMicros, providerID: request.providerID,
                        category: request.category, taskID: request.taskID, description: request.description, ttlSeconds: 0,
                        scope: scope, payeeAgentID: request.payeeAgentID, payeeAgent: request.payeeAgent)
                    return try await self.coalescer.authorize(tenant: tenant, agent: agent, command)
                } }
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

    /// Most times one request is decided again because the policy it was
    /// decided under was older than the tenant's announced epoch.
    static let maximumPolicyRefreshes = 3

    /// Runs `attempt` (build the request's command, with validation and
    /// policy, and have the ledger decide it). When the ledger answers
    /// `policy_stale` (Policy announced a newer epoch than the cached
    /// policy's), the tenant's cached policies are dropped and the attempt
    /// runs again, at most `maximumPolicyRefreshes` times. The decision is
    /// counted as `method` in `authorizationMetrics`.
    func decide(
        tenant: UUID, method: AuthorizationMetrics.Method, _ attempt: () async throws -> AuthorizationReceipt
    ) async throws -> AuthorizationReceipt {
        try await authorizationMetrics.counting(method) {
            var refreshes = 0
            while true {
                do {
                    return try await attempt()
                } catch let error as RPCError where error.reason == "policy_stale" && refreshes < Self.maximumPolicyRefreshes {
                    refreshes += 1
                    policy?.invalidate(tenantID: tenant.lowercased)
                }
            }
        }
    }

    /// A provider's charge of the agent whose payment token it presents: the
    /// token must be bound to this provider and allow the amount; the charge is
    /// counted against it in the charge's own transaction. Denials reach the
    /// provider without the agent's balance or headroom (`RPCError.forPayee`).
    private func providerCharge(
        _ request: ChargeRequest, provider caller: String, principal: Principal, _ context: ServerContext
    ) async throws -> AuthorizationReceipt {
        let (payer, payment) = try await paymentToken(context, payee: caller)
        let (tenant, agent) = try Self.agentIdentity(payer)
        let provider = try WalletRequest.id(caller, field: "token subject")
        let amount = try WalletRequest.amount(request.amountMicros, maximum: settings.maximumAmountMicros)
        guard amount <= payment.maximumMicros else {
            throw RPCError(
                .permissionDenied, "amount_micros: the payment token allows at most \(payment.maximumMicros) micros",
                reason: "token_amount_exceeded")
        }
        let scope = try WalletRequest.scope(principal, context)
        let use = PaymentTokenUse(
            tokenID: payment.tokenID, maximumMicros: payment.maximumMicros, singleUse: payment.singleUse,
            expiresAtUs: payment.expiresAt &* 1_000_000)
        do {
            return try await decide(tenant: tenant, method: .charge) { () async throws in
                let command = try await self.command(
                    .charge, tenant: tenant, agent: agent, amountMicros: amount, providerID: caller, category: request.category,
                    taskID: request.taskID, description: request.description, ttlSeconds: 0, scope: scope)
                return try await self.ledger.charge(tenant: tenant, agent: agent, provider: provider, command, under: use)
            }
        } catch let error as RPCError where !(error.reason ?? "").hasPrefix("token_") {
            throw error.forPayee
        }
    }

    /// The tenant and agent ids of an agent principal.
    static func agentIdentity(_ principal: Principal) throws(RPCError) -> (UUID, UUID) {
        guard case .agent(let tenant, let agent) = principal else {
            throw RPCError.permissionDenied("only an agent spends from an account")
        }
        return (try WalletRequest.id(tenant, field: "token tenant"), try WalletRequest.id(agent, field: "token subject"))
    }

    /// The agent and payment scope of the token a provider presents in
    /// `agent-authorization`. Refused: no token (UNAUTHENTICATED
    /// `agent_token_missing`), a token that does not verify or is no agent's
    /// (UNAUTHENTICATED `agent_token_invalid`), an agent's full token, a token
    /// bound to another payee or living longer than the longest hold
    /// (PERMISSION_DENIED `token_scope`).
    private func paymentToken(_ context: ServerContext, payee: String) async throws -> (Principal, PaymentScope) {
        guard let authorization = context.metadata["agent-authorization"] else {
            throw RPCError(
                .unauthenticated, "agent-authorization: a provider charging an agent presents the agent's payment token",
                reason: "agent_token_missing")
        }
        let verified: VerifiedToken
        do {
            verified = try await host.verifier.verify(authorization: authorization)
        } catch {
            throw RPCError(.unauthenticated, "agent-authorization: \(error.reason)", reason: "agent_token_invalid")
        }
        guard verified.principal.kind == .agent else {
            throw RPCError(.unauthenticated, "agent-authorization: not an agent's token", reason: "agent_token_invalid")
        }
        guard verified.isScoped else {
            throw RPCError(
                .permissionDenied, "agent-authorization: an agent's full token is refused; present a payment token the agent issued for you",
                reason: "token_scope")
        }
        let payment: PaymentScope
        do {
            payment = try PaymentScope(claims: verified.claims)
        } catch {
            throw RPCError(.permissionDenied, "agent-authorization: not a payment token", reason: "token_scope")
        }
        guard payment.payee.lowercased() == payee.lowercased() else {
            throw RPCError(
                .permissionDenied, "agent-authorization: the payment token is bound to another payee",
                reason: "token_scope")
        }
        guard payment.lifetimeSeconds <= settings.maximumHoldTTL.components.seconds else {
            throw RPCError(
                .permissionDenied, "agent-authorization: the payment token lives longer than the longest hold",
                reason: "token_scope")
        }
        return (verified.principal, payment)
    }

    /// Validates an authorization request, resolves its payee and category and
    /// applies the agent's spending policy (see `policyDecision`). The payee is
    /// the provider `providerID` or, when `payeeAgentID` (an id) or
    /// `payeeAgent` (`handle@tenant-slug`) is set, that agent: by id an agent
    /// of the payer's tenant, by name one of whichever tenant the slug names.
    /// Naming more than one payee, a malformed one, or the payer itself
    /// answers INVALID_ARGUMENT / `payee_invalid`; an unknown agent answers
    /// FAILED_PRECONDITION / `payee_unknown`; an agent of a tenant whose
    /// currency is not the payer's, `payee_currency_mismatch`. Whether the
    /// payee's tenant accepts payments from other tenants goes to the ledger,
    /// which stores its refusal under the idempotency key. A payment to an
    /// agent is in the category given, `agent` by default.
    func command(
        _ kind: AuthorizationCommand.Kind, tenant: UUID, agent: UUID, amountMicros: Int64, providerID: String, category: String, taskID: String,
        description: String, ttlSeconds: Int32, scope: IdempotencyScope, payeeAgentID: String = "", payeeAgent: String = ""
    ) async throws -> AuthorizationCommand {
        if !payeeAgentID.isEmpty || !payeeAgent.isEmpty {
            return try await agentPaymentCommand(
                kind, tenant: tenant, agent: agent, amountMicros: amountMicros, providerID: providerID,
                payee: PayeeNaming(id: payeeAgentID, name: payeeAgent), category: category, taskID: taskID,
                description: description, ttlSeconds: ttlSeconds, scope: scope)
        }
        let amount = try WalletRequest.amount(amountMicros, maximum: settings.maximumAmountMicros)
        let provider = try WalletRequest.id(providerID, field: "provider_id")
        let taskID = try WalletRequest.text(taskID, field: "task_id", limit: 200)
        let description = try WalletRequest.text(description, field: "description", limit: 500)
        var category = try WalletRequest.category(category)
        let maximumSeconds = settings.maximumHoldTTL.components.seconds
        guard ttlSeconds >= 0, Int64(ttlSeconds) <= maximumSeconds else {
            throw RPCError.invalid("hold_ttl_seconds", "must be between 0 and \(maximumSeconds)", reason: "hold_ttl_invalid")
        }
        let ttl = ttlSeconds == 0 ? settings.defaultHoldTTL.microseconds : Int64(ttlSeconds) * 1_000_000
        guard let facts = try await directory.provider(provider) else {
            throw RPCError(.failedPrecondition, "provider_id: no such provider", reason: "payee_unknown")
        }
        if category.isEmpty {
            category = facts.defaultCategory
        } else if !facts.accepts(category) {
            throw RPCError(
                .failedPrecondition, "category: the provider is not registered for \"\(category)\"",
                reason: "category_not_registered")
        }
        let policy = await policyDecision(
            tenant: tenant, agent: agent, amountMicros: amount, providerSlug: facts.slug, category: category, taskID: taskID)
        return AuthorizationCommand(
            kind: kind, scope: scope, providerID: provider, category: category, taskID: taskID, description: description,
            amountMicros: amount, holdTTLMicros: ttl, limits: policy.limits, refusal: policy.refusal,
            policyEpoch: policy.epoch, policyFailure: policy.failure)
    }

    /// How a request names its payee agent: by id, or as `handle@tenant-slug`.
    struct PayeeNaming {
        var id: String
        var name: String
    }

    /// A payment to the agent `payee` names, of the payer's tenant or another (see `command`).
    private func agentPaymentCommand(
        _ kind: AuthorizationCommand.Kind, tenant: UUID, agent: UUID, amountMicros: Int64, providerID: String, payee naming: PayeeNaming,
        category: String, taskID: String, description: String, ttlSeconds: Int32, scope: IdempotencyScope
    ) async throws -> AuthorizationCommand {
        guard providerID.isEmpty else {
            throw RPCError.invalid("provider_id", "name a provider or a payee agent, not both", reason: "payee_invalid")
        }
        guard naming.id.isEmpty || naming.name.isEmpty else {
            throw RPCError.invalid(
                "payee_agent", "name the payee agent by id or as handle@tenant-slug, not both", reason: "payee_invalid")
        }
        let amount = try WalletRequest.amount(amountMicros, maximum: settings.maximumAmountMicros)
        let (payee, payeeTenant) = try await resolvePayeeAgent(naming, in: tenant)
        var refusesOtherTenants = false
        if let payeeTenant {
            let payerFacts = try await directory.facts(of: tenant)
            let payeeFacts = try await directory.facts(of: payeeTenant)
            guard payeeFacts.currency == payerFacts.currency else {
                throw RPCError(
                    .failedPrecondition, "payee_agent: the payee's tenant keeps its books in \(payeeFacts.currency), not \(payerFacts.currency)",
                    reason: "payee_currency_mismatch")
            }
            refusesOtherTenants = !payeeFacts.acceptsPaymentsFromOtherTenants
        }
        guard payee != agent else {
            throw RPCError.invalid(naming.id.isEmpty ? "payee_agent" : "payee_agent_id", "an agent does not pay itself", reason: "payee_invalid")
        }
        let taskID = try WalletRequest.text(taskID, field: "task_id", limit: 200)
        let description = try WalletRequest.text(description, field: "description", limit: 500)
        var category = try WalletRequest.category(category)
        if category.isEmpty { category = Self.agentPaymentCategory }
        let maximumSeconds = settings.maximumHoldTTL.components.seconds
        guard ttlSeconds >= 0, Int64(ttlSeconds) <= maximumSeconds else {
            throw RPCError.invalid("hold_ttl_seconds", "must be between 0 and \(maximumSeconds)", reason: "hold_ttl_invalid")
        }
        let ttl = ttlSeconds == 0 ? settings.defaultHoldTTL.microseconds : Int64(ttlSeconds) * 1_000_000
        let policy = await policyDecision(
            tenant: tenant, agent: agent, amountMicros: amount, providerSlug: "", category: category, taskID: taskID,
            payeeAgent: payee)
        return AuthorizationCommand(
            kind: kind, scope: scope, providerID: payee, category: category, taskID: taskID, description: description,
            amountMicros: amount, holdTTLMicros: ttl, limits: policy.limits, refusal: policy.refusal,
            policyEpoch: policy.epoch, policyFailure: policy.failure, payeeIsAgent: true,
            payeeTenant: payeeTenant, payeeRefusesOtherTenants: refusesOtherTenants)
    }

    /// The payee agent `naming` names and its tenant when that is not
    /// `tenant`: by id an agent of `tenant`, by `handle@tenant-slug` an agent
    /// of whichever tenant has that slug. A malformed id or name:
    /// INVALID_ARGUMENT `payee_invalid`. No such agent (by id, one of another
    /// tenant included): FAILED_PRECONDITION `payee_unknown`.
    private func resolvePayeeAgent(_ naming: PayeeNaming, in tenant: UUID) async throws(RPCError) -> (UUID, UUID?) {
        if naming.name.isEmpty {
            let payee = try WalletRequest.id(naming.id, field: "payee_agent_id")
            do {
                try await directory.requireAgent(payee, in: tenant)
            } catch {
                guard error.code == .notFound else { throw error }
                throw RPCError(.failedPrecondition, "payee_agent_id: no such agent in the tenant", reason: "payee_unknown")
            }
            return (payee, nil)
        }
        guard let name = AgentName(naming.name) else {
            throw RPCError.invalid("payee_agent", "must be handle@tenant-slug", reason: "payee_invalid")
        }
        guard let payee = try await directory.agent(named: name) else {
            throw RPCError(.failedPrecondition, "payee_agent: no such agent", reason: "payee_unknown")
        }
        return (payee.id, payee.tenant == tenant ? nil : payee.tenant)
    }

    /// The category of a payment to an agent that names none.
    static let agentPaymentCategory = "agent"
}
