import PurserRPC

/// The Email-alias service's own refusals, with the status and the stable
/// `reason` a client sees.
extension RPCError {
    /// The agent is revoked: its aliases stay disabled and it gets no new ones (`agent_revoked`).
    package static let agentRevoked = RPCError(
        .failedPrecondition, "the agent is revoked; its addresses are disabled", reason: "agent_revoked")

    /// Another alias already has this address (`address_taken`).
    package static let addressTaken = RPCError(.alreadyExists, "the address is already taken", reason: "address_taken")

    /// Tenant admins read mail only where the tenant sets `admin_can_read_mail` (`admin_mail_access_disabled`).
    package static let adminMailAccessDisabled = RPCError(
        .permissionDenied, "this tenant does not let its admins read agents' mail (admin_can_read_mail is off)",
        reason: "admin_mail_access_disabled")

    /// Identity could not be asked for an agent or tenant (`identity_unavailable`).
    package static func directoryUnavailable(_ detail: String, cause: RPCError) -> RPCError {
        RPCError(.unavailable, "identity is unavailable: \(detail)", reason: "identity_unavailable", cause: cause)
    }
}
