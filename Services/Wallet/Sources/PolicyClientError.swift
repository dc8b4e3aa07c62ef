import PurserRPC

/// Why a `PolicyClient` could not produce a policy. The caller must refuse the
/// spend (fail closed) and answer `rpcError`: UNAVAILABLE with reason
/// `policy_unavailable`, whatever went wrong underneath.
package struct PolicyClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code: `policy_unavailable` (Policy unreachable or
    /// failing) or `policy_invalid_response` (it answered something unusable).
    package var reason: String
    /// What went wrong, for logs.
    package var message: String
    /// The error the Policy service answered, when it answered one.
    package var underlying: RPCError?

    /// Creates an error with `reason` and a message for logs.
    package init(reason: String, message: String, underlying: RPCError? = nil) {
        self.reason = reason
        self.message = message
        self.underlying = underlying
    }

    /// Policy could not be reached or answered an error.
    package static func unavailable(_ error: RPCError) -> PolicyClientError {
        PolicyClientError(reason: "policy_unavailable", message: "policy service: \(error)", underlying: error)
    }

    /// Policy answered with something that cannot be used.
    package static func invalidResponse(_ message: String) -> PolicyClientError {
        PolicyClientError(reason: "policy_invalid_response", message: message)
    }

    /// What the caller answers its own client: UNAVAILABLE with reason
    /// `policy_unavailable` (the spend is refused; retrying later may succeed).
    package var rpcError: RPCError {
        RPCError(.unavailable, "spending policy is unavailable; the spend was refused", reason: "policy_unavailable")
    }

    package var description: String { "\(reason): \(message)" }
}
