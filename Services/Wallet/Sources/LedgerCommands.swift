import Foundation
import PurserRPC

/// Who an idempotency key belongs to: keys are scoped per caller (the
/// principal's stable name, e.g. `agent:<id>`) within a tenant, so two callers
/// can never replay or collide with each other's keys.
package struct IdempotencyScope: Sendable, Hashable {
    package var principal: String
    package var key: String

    /// The key `key` of the caller named `principal`.
    package init(principal: String, key: String) {
        self.principal = principal
        self.key = key
    }
}

/// A quantitative limit an authorization must fit under, enforced atomically
/// in the authorization transaction with a counter in
/// `wallet.spend_counters(tenant_id, agent_id, scope_key, window_key)` kept
/// under the agent's account row lock. `windowKey` names the fixed window
/// (e.g. `2026-11-21` for a daily limit), so a new window starts a new counter.
package struct SpendLimit: Sendable, Hashable {
    /// The rule the limit comes from (reported as `rule` when it denies).
    package var scopeKey: String
    package var windowKey: String
    /// Most micros that may be held or spent in the window.
    package var capMicros: Int64
    /// Most authorizations in the window, when the rule counts calls.
    package var capCount: Int64?

    /// A cap of `capMicros` (and `capCount` calls, when given) for one rule and window.
    package init(scopeKey: String, windowKey: String, capMicros: Int64, capCount: Int64? = nil) {
        self.scopeKey = scopeKey
        self.windowKey = windowKey
        self.capMicros = capMicros
        self.capCount = capCount
    }
}

/// A refusal the spending policy decided before the ledger (a blocked
/// provider or category, a per-call maximum, a cap below the amount): the
/// ledger answers it as the request's outcome (`wallet.authorize_agents`
/// builds its denial document) and stores it under the idempotency key, so a
/// retry answers the same refusal.
package struct PolicyRefusal: Sendable, Hashable {
    /// `limit_exceeded`, `per_call_max_exceeded`, `category_blocked` or `provider_blocked`.
    package var reason: String
    /// The rule that refuses.
    package var rule: String
    /// Micros left under the rule, when it is quantitative.
    package var headroomMicros: Int64?
    /// Authorizations left under the rule, when it counts calls.
    package var remainingCount: Int64?

    /// A refusal by `rule` for `reason`.
    package init(reason: String, rule: String, headroomMicros: Int64? = nil, remainingCount: Int64? = nil) {
        self.reason = reason
        self.rule = rule
        self.headroomMicros = headroomMicros
        self.remainingCount = remainingCount
    }
}

/// One request to place a hold (Authorize) or to place and capture it at once
/// (Charge) on an agent's account.
package struct AuthorizationCommand: Sendable, Hashable {
    /// Authorize places a hold; Charge places and captures it at once.
    package enum Kind: String, Sendable, Hashable {
        case authorize = "Authorize"
        case charge = "Charge"
    }

    package var kind: Kind
    package var scope: IdempotencyScope
    /// The payee: a provider, or an agent of the tenant when `payeeIsAgent`.
    package var providerID: UUID
    /// Whether `providerID` names an agent of the tenant (a transfer between
    /// two agent accounts) rather than a provider.
    package var payeeIsAgent: Bool
    /// The payee agent's tenant when it is not the payer's (a payment across
    /// tenants); `nil` for a payee of the payer's tenant and for providers.
    package var payeeTenant: UUID?
    /// Whether the payee's tenant refuses payments from other tenants (the
    /// ledger then refuses with `payee_refuses_other_tenants`, stored).
    package var payeeRefusesOtherTenants: Bool
    package var category: String
    package var taskID: String
    package var description: String
    package var amountMicros: Int64
    package var holdTTLMicros: Int64
    package var limits: [SpendLimit]
    /// Set when the spending policy already refused the request.
    package var refusal: PolicyRefusal?
    /// The policy epoch of the policy the request was decided under; the
    /// ledger answers `policy_stale` when the tenant's recorded epoch is newer.
    package var policyEpoch: Int64?
    /// Set when no policy could be had: the ledger answers a replay from its
    /// idempotency record and this failure (unstored) otherwise.
    package var policyFailure: RPCError?

    /// A command; `holdTTLMicros` is the hold's lifetime, `limits` the caps it
    /// must fit under, `refusal` the policy's refusal when it refuses.
    package init(
        kind: Kind = .authorize, scope: IdempotencyScope, providerID: UUID, category: String, taskID: String = "",
        description: String = "", amountMicros: Int64, holdTTLMicros: Int64, limits: [SpendLimit] = [],
        refusal: PolicyRefusal? = nil, policyEpoch: Int64? = nil, policyFailure: RPCError? = nil, payeeIsAgent: Bool = false,
        payeeTenant: UUID? = nil, payeeRefusesOtherTenants: Bool = false
    ) {
        self.kind = kind
        self.payeeIsAgent = payeeIsAgent
        self.payeeTenant = payeeTenant
        self.payeeRefusesOtherTenants = payeeRefusesOtherTenants
        self.scope = scope
        self.providerID = providerID
        self.category = category
        self.taskID = taskID
        self.description = description
        self.amountMicros = amountMicros
        self.holdTTLMicros = holdTTLMicros
        self.limits = limits
        self.refusal = refusal
        self.policyEpoch = policyEpoch
        self.policyFailure = policyFailure
    }
}

/// Who asks to capture, void or refund a hold. Capture and void are the
/// payee's acts; a refund is the payee's or the operator's. Holds answer
/// `not_found` to anyone else (the payer cannot take back what it promised).
package enum HoldCaller: Sendable, Hashable {
    /// The hold's payee provider.
    case provider(UUID)
    /// The hold's payee agent (of the hold's tenant).
    case agent(UUID)
    /// The operator, acting on a tenant it names (refunds only).
    case `operator`

    /// The caller kind the ledger functions take: `provider`, or `admin` (their
    /// name for a tenant-wide refund, here made only by the operator).
    var kind: String {
        switch self {
        case .provider: "provider"
        case .agent: "agent"
        case .operator: "admin"
        }
    }

    var id: UUID? {
        switch self {
        case .provider(let id), .agent(let id): id
        case .operator: nil
        }
    }
}

/// The authorizations of one agent decided together, in order, under one
/// lock of its account row.
package struct AgentAuthorizations: Sendable, Hashable {
    package var tenant: UUID
    package var agent: UUID
    package var commands: [AuthorizationCommand]

    /// `commands` of `agent` in `tenant`, to be decided in this order.
    package init(tenant: UUID, agent: UUID, commands: [AuthorizationCommand]) {
        self.tenant = tenant
        self.agent = agent
        self.commands = commands
    }
}
