import PurserPolicy
import PurserRPC

/// The Policy service's own refusals, each with its status and stable `reason`.
extension RPCError {
    /// A request field is missing or malformed: INVALID_ARGUMENT `invalid_argument`,
    /// the message `field: problem` and the field in metadata `field`.
    package static func invalidField(_ field: String, _ problem: String) -> RPCError {
        RPCError(.invalidArgument, "\(field): \(problem)", reason: "invalid_argument", metadata: ["field": field])
    }

    /// A name outside the grammar once lowercased: INVALID_ARGUMENT `<field>_invalid`
    /// (e.g. `category_invalid`), the field in metadata `field`.
    package static func invalidName(field: String) -> RPCError {
        RPCError(
            .invalidArgument, "\(field): must match [a-z0-9][a-z0-9._-]{0,63} after lowercasing",
            reason: "\(field)_invalid", metadata: ["field": field])
    }

    /// The submitted document is malformed or breaks a rule: INVALID_ARGUMENT
    /// with the engine's reason (`invalid_policy`, or `invalid_document` when it
    /// is not a well-formed document), every offending field (up to 20) in the
    /// message and the first one in metadata `field`.
    package static func invalidPolicy(_ error: PolicyError) -> RPCError {
        var metadata: Metadata = [:]
        if let first = error.fieldErrors.first { metadata["field"] = first.field }
        let problems = error.fieldErrors.prefix(20).map(\.description).joined(separator: "; ")
        return RPCError(
            .invalidArgument, "the policy document is invalid: \(problems)", reason: error.reason.rawValue,
            metadata: metadata, cause: error)
    }

    /// A sub-agent's document is looser than its parent's effective policy:
    /// INVALID_ARGUMENT `policy_looser_than_parent`, the message `field: problem`
    /// for every looser field (up to 20) and the first field in metadata `field`.
    package static func policyLooserThanParent(_ problems: [FieldError]) -> RPCError {
        var metadata: Metadata = [:]
        if let first = problems.first { metadata["field"] = first.field }
        return RPCError(
            .invalidArgument, problems.prefix(20).map(\.description).joined(separator: "; "),
            reason: "policy_looser_than_parent", metadata: metadata)
    }

    /// `expected_version` is not the current version: FAILED_PRECONDITION
    /// `version_conflict`, the current version in metadata `current_version`.
    package static func versionConflict(expected: Int64, current: Int64) -> RPCError {
        RPCError(
            .failedPrecondition, "expected version \(expected) but the current version is \(current)",
            reason: "version_conflict", metadata: ["current_version": String(current)])
    }

    /// Identity (tenant time zones, agent membership) cannot be reached: UNAVAILABLE `identity_unavailable`.
    package static func identityUnavailable(_ message: String, cause: (any Error)? = nil) -> RPCError {
        RPCError(.unavailable, "identity service unavailable: \(message)", reason: "identity_unavailable", cause: cause)
    }

    /// The Wallet (spend counters for Simulate, epoch announcements) cannot be
    /// reached: UNAVAILABLE `wallet_unavailable`.
    package static func walletUnavailable(_ message: String, cause: (any Error)? = nil) -> RPCError {
        RPCError(.unavailable, "wallet service unavailable: \(message)", reason: "wallet_unavailable", cause: cause)
    }
}
