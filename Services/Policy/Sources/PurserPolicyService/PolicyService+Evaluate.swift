import Foundation
import PurserAPI
import PurserPolicy

extension PolicyService {
    /// Longest provider, category or task id accepted in an evaluation.
    static let maximumNameLength = 256

    /// `Evaluate` (service `wallet`) and `Simulate` (tenant admin): the static
    /// decision for one spend now (provider and category rules, the per-call
    /// maximum, and any limit whose whole cap is below the amount) and every
    /// limit counting spend of its category, each with its counter scope, the
    /// window key of "now" in the tenant's zone and its caps. Counters live in
    /// the Wallet, which enforces the limits atomically under the agent's
    /// account row lock; this answer never depends on spend so far.
    /// `checkAgent` asks Identity that the agent belongs to the tenant.
    func evaluate(_ request: EvaluateRequest, checkAgent: Bool) async throws -> EvaluateResponse {
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        let agentID = try Self.uuid(request.agentID, field: "agent_id")
        guard !request.provider.isEmpty else {
            throw PolicyServiceError.invalidArgument(field: "provider", message: "is required")
        }
        for (field, value) in [("provider", request.provider), ("category", request.category), ("task_id", request.taskID)]
        where value.utf8.count > Self.maximumNameLength {
            throw PolicyServiceError.invalidArgument(field: field, message: "at most \(Self.maximumNameLength) bytes")
        }
        if checkAgent { try await directory.requireAgent(tenantID: request.tenantID, agentID: request.agentID) }
        let resolved = try await resolve(tenantID: tenantID, tenantText: request.tenantID, agentID: agentID)
        let at = now()
        let spend = SpendRequest(
            amount: request.amountMicros, provider: request.provider, category: request.category,
            taskID: request.taskID.isEmpty ? nil : request.taskID, at: at)
        let decision = PolicyEngine.evaluate(policy: resolved.policy, request: spend, counters: { _ in .zero })
        let checks = PolicyEngine.applicableLimits(policy: resolved.policy, request: spend, counters: { _ in .zero })

        var response = EvaluateResponse()
        if case .deny(let denial) = decision {
            response.allowed = false
            response.denial = Self.denial(denial)
        } else {
            response.allowed = true
        }
        response.limits = checks.map(Self.limit)
        response.tenantVersion = resolved.documents.tenantVersion
        response.agentVersion = resolved.documents.agentVersion
        response.etag = resolved.etag
        response.timeZone = resolved.zone.identifier
        response.evaluatedAtUs = Self.microseconds(at)
        return response
    }

    static func denial(_ denial: Denial) -> DenialView {
        var view = DenialView()
        view.reason = denial.reason.rawValue
        view.rule = denial.rule
        view.headroomMicros = denial.headroom ?? -1
        view.remainingCount = denial.remainingCount.map(Int64.init) ?? -1
        view.limitID = denial.limitID ?? ""
        return view
    }

    static func limit(_ check: LimitCheck) -> LimitToEnforce {
        var limit = LimitToEnforce()
        limit.limitID = check.limit.limitID
        limit.interval = check.limit.limit.interval.rawValue
        limit.windowKey = check.counter?.windowKey ?? ""
        limit.capMicros = check.limit.limit.amount
        limit.capCount = Int64(check.limit.limit.count ?? 0)
        limit.rule = check.rule
        if let window = check.window {
            limit.windowStartAtUs = microseconds(window.start)
            limit.windowEndAtUs = microseconds(window.end)
        }
        return limit
    }
}
