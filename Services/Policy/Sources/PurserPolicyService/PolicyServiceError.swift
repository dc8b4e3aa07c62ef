import PurserPolicy
import PurserRPC
import PurserService

/// The one error type of the Policy service's handlers. Each case knows its
/// status and stable `reason`; `ServiceHost` converts it at the edge.
package enum PolicyServiceError: Error, Sendable, Equatable, RPCErrorConvertible {
    /// A request field is missing or malformed: INVALID_ARGUMENT `invalid_argument`.
    case invalidArgument(field: String, message: String)
    /// A category outside the name grammar once lowercased: INVALID_ARGUMENT `category_invalid`.
    case invalidName(field: String, value: String)
    /// The submitted document is malformed or breaks a rule: INVALID_ARGUMENT
    /// with the engine's reason (`invalid_policy`, or `invalid_document` when it
    /// is not a well-formed document), every offending field in the message and
    /// the first one in metadata `field`.
    case invalidPolicy(PolicyError)
    /// `expected_version` is not the current version: FAILED_PRECONDITION `version_conflict`.
    case versionConflict(expected: Int64, current: Int64)
    /// The tenant or agent does not exist or is outside the caller's reach: NOT_FOUND `not_found`.
    case notFound
    /// Identity (tenant time zones, agent membership) cannot be reached: UNAVAILABLE `identity_unavailable`.
    case identityUnavailable(String)
    /// The Wallet (spend counters for Simulate) cannot be reached: UNAVAILABLE `wallet_unavailable`.
    case walletUnavailable(String)

    package var rpcError: RPCError {
        switch self {
        case .invalidArgument(let field, let message):
            return RPCError(.invalidArgument, "\(field): \(message)", reason: "invalid_argument", metadata: ["field": field])
        case .invalidName(let field, _):
            return RPCError(
                .invalidArgument, "\(field): must match [a-z0-9][a-z0-9._-]{0,63} after lowercasing",
                reason: "\(field)_invalid", metadata: ["field": field])
        case .invalidPolicy(let error):
            var metadata: Metadata = [:]
            if let first = error.fieldErrors.first { metadata["field"] = first.field }
            let problems = error.fieldErrors.prefix(20).map(\.description).joined(separator: "; ")
            return RPCError(
                .invalidArgument, "the policy document is invalid: \(problems)", reason: error.reason.rawValue,
                metadata: metadata)
        case .versionConflict(let expected, let current):
            return RPCError(
                .failedPrecondition, "expected version \(expected) but the current version is \(current)",
                reason: "version_conflict", metadata: ["current_version": String(current)])
        case .notFound:
            return RPCError(.notFound, "not found", reason: "not_found")
        case .identityUnavailable(let message):
            return RPCError(.unavailable, "identity service unavailable: \(message)", reason: "identity_unavailable")
        case .walletUnavailable(let message):
            return RPCError(.unavailable, "wallet service unavailable: \(message)", reason: "wallet_unavailable")
        }
    }
}
