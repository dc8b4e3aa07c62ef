import Foundation
import PurserAuth
import PurserPolicy
import PurserRPC

/// Request validation shared by the handlers: ids, amounts, tenants and
/// idempotency keys. Every failure names the field.
enum WalletRequest {
    /// A required id in canonical UUID form.
    static func id(_ text: String, field: String) throws(RPCError) -> UUID {
        guard !text.isEmpty else { throw .invalid(field, "is required") }
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else {
            throw .invalid(field, "is not a UUID", reason: "invalid_id")
        }
        return id
    }

    /// A positive amount (`amount_invalid` otherwise) no larger than the
    /// per-call `maximum` (`amount_too_large` beyond).
    static func amount(_ micros: Int64, maximum: Int64, field: String = "amount_micros") throws(RPCError) -> Int64 {
        guard micros > 0 else { throw .invalid(field, "must be positive", reason: "amount_invalid") }
        guard micros <= maximum else {
            throw .invalid(field, "must be at most \(maximum) micros per call", reason: "amount_too_large")
        }
        return micros
    }

    /// A spend's category: "" (the provider's default applies), or a name
    /// that matches `[a-z0-9][a-z0-9._-]{0,63}` once lowercased (the one
    /// normalisation; anything else is refused, never trimmed).
    static func category(_ value: String) throws(RPCError) -> String {
        if value.isEmpty { return "" }
        guard let name = PolicyName.normalized(value) else {
            throw .invalid("category", "must match [a-z0-9][a-z0-9._-]{0,63} after lowercasing", reason: "category_invalid")
        }
        return name
    }

    /// A free-text field no longer than `limit` bytes.
    static func text(_ value: String, field: String, limit: Int) throws(RPCError) -> String {
        guard value.utf8.count <= limit else { throw .invalid(field, "is longer than \(limit) bytes") }
        guard !value.utf8.contains(0) else { throw .invalid(field, "contains a NUL character") }
        return value
    }

    /// The tenant a call acts on: the principal's own (a different `requested`
    /// one answers `not_found`), or `requested` for principals without a tenant.
    static func tenant(_ principal: Principal, requested: String, field: String = "tenant_id") throws(RPCError) -> UUID {
        if let own = principal.tenantID {
            guard requested.isEmpty || requested.lowercased() == own.lowercased() else { throw .notFound("tenant") }
            return try id(own, field: "token tenant")
        }
        return try id(requested, field: field)
    }

    /// The idempotency scope of a mutating call: the caller's `idempotency-key`
    /// (required) scoped to the caller.
    static func scope(_ principal: Principal, _ context: ServerContext) throws(RPCError) -> IdempotencyScope {
        guard let key = context.metadata["idempotency-key"], !key.isEmpty else {
            throw RPCError(
                .invalidArgument, "idempotency-key: is required on this call", reason: "idempotency_key_required")
        }
        guard Metadata.isValidIdempotencyKey(key) else {
            throw RPCError(
                .invalidArgument, "idempotency-key: must be 1 to \(Metadata.idempotencyKeyMaximumLength) bytes without NUL",
                reason: "idempotency_key_invalid")
        }
        return IdempotencyScope(principal: scopeName(principal), key: key)
    }

    /// A stable name for the principal within its tenant.
    static func scopeName(_ principal: Principal) -> String {
        switch principal {
        case .operator: "operator"
        case .tenantAdmin: "admin"
        case .tenantFinance: "finance"
        case .agent(_, let agent): "agent:\(agent.lowercased())"
        case .provider(let provider): "provider:\(provider.lowercased())"
        case .service(let name): "service:\(name)"
        }
    }
}
