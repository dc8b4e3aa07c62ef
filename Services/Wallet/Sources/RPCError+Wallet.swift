import PurserRPC

/// How the Wallet builds and reshapes its refusals: a status, a stable
/// `reason` (e.g. `insufficient_funds`, `limit_exceeded`,
/// `idempotency_conflict`), a message and the details a caller needs to act
/// on a denial (`available_micros`, `rule`, `headroom_micros`) as metadata.
extension RPCError {
    /// A refusal whose `details` are sent as metadata, sorted by key.
    package init(_ code: StatusCode, _ message: String, reason: String, details: [String: String]) {
        var metadata = Metadata()
        for key in details.keys.sorted() {
            if let value = details[key] { metadata.append(key, value) }
        }
        self.init(code, message, reason: reason, metadata: metadata)
    }

    /// This denial as a payee may read it: the payer's balance and the headroom
    /// left under its limits (`available_micros`, `headroom_micros`,
    /// `headroom_count`, `remaining_count`) removed, and a message that names
    /// no figure. The reason and the rule stay, so the payee knows why.
    package var forPayee: RPCError {
        var metadata = self.metadata
        for key in ["available_micros", "headroom_micros", "headroom_count", "remaining_count"] { metadata[key] = nil }
        let reason = self.reason ?? "internal"
        return RPCError(code, "the agent cannot pay this charge (\(reason))", reason: reason, metadata: metadata, cause: cause)
    }

    /// The policy cache could not fetch a policy: Policy is unreachable or
    /// answered `error` (UNAVAILABLE `policy_unavailable`).
    package static func policyFetchFailed(_ error: RPCError) -> RPCError {
        RPCError(.unavailable, "policy service: \(error)", reason: "policy_unavailable", cause: error)
    }

    /// Policy answered something the Wallet cannot use (UNAVAILABLE `policy_invalid_response`).
    package static func policyInvalidResponse(_ message: String, cause: (any Error)? = nil) -> RPCError {
        RPCError(.unavailable, message, reason: "policy_invalid_response", cause: cause)
    }

    /// What the Wallet answers, fail-closed, when `error` kept it from having
    /// a policy: UNAVAILABLE `policy_unavailable`, whatever went wrong
    /// underneath (the spend is refused; retrying later may succeed).
    package static func policyUnavailable(_ error: RPCError) -> RPCError {
        RPCError(.unavailable, "spending policy unavailable: \(error.message)", reason: "policy_unavailable", cause: error)
    }
}

extension StatusCode {
    /// The status a ledger document names in its `status` field (`failed_precondition`, …);
    /// `nil` for a name the ledger does not use.
    init?(ledgerStatus: String) {
        guard let code = Self.ledgerStatuses.first(where: { $0.value == ledgerStatus })?.key else { return nil }
        self = code
    }

    /// The name of this status in a ledger document (`failed_precondition`, …).
    var ledgerStatus: String { Self.ledgerStatuses[self] ?? "internal" }

    private static let ledgerStatuses: [StatusCode: String] = [
        .invalidArgument: "invalid_argument", .notFound: "not_found", .alreadyExists: "already_exists",
        .failedPrecondition: "failed_precondition", .permissionDenied: "permission_denied",
        .unauthenticated: "unauthenticated", .unavailable: "unavailable", .internal: "internal",
    ]
}
