import PurserAuth
import PurserRPC

extension AuthError {
    /// The status a client sees: UNAUTHENTICATED with the verifier's reason
    /// (`token_expired`, `subject_revoked`, …); PERMISSION_DENIED with
    /// `permission_denied` (a role or service that may not call the method) or
    /// `token_scope` (a scoped token where a full one is needed); NOT_FOUND with `not_found` (another tenant's ids
    /// look exactly like ids that do not exist).
    public var rpcError: RPCError {
        switch kind {
        case .unauthenticated:
            RPCError(.unauthenticated, "authentication failed: \(reason)", reason: reason)
        case .permissionDenied where self == .tokenScope:
            RPCError(.permissionDenied, "a scoped (payment) token is no caller's credential here", reason: reason)
        case .permissionDenied:
            RPCError(.permissionDenied, "this principal may not call this method", reason: "permission_denied")
        case .notFound:
            RPCError(.notFound, "not found", reason: "not_found")
        case .invalidArgument:
            RPCError(.invalidArgument, "invalid argument: \(reason)", reason: reason)
        case .unavailable:
            RPCError(.unavailable, "signing keys are unavailable", reason: reason)
        case .internal:
            RPCError(.internal, "internal error", reason: reason)
        }
    }
}
