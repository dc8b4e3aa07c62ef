import PurserRPC
import PurserService

/// Every failure the Email-alias handlers report, with the status and the
/// stable `reason` a client sees. Converted to `RPCError` once, at the edge.
package struct EmailError: Error, Sendable, Equatable, RPCErrorConvertible {
    /// The status a client sees.
    package let code: StatusCode
    /// Stable snake_case reason, sent as `reason` metadata.
    package let reason: String
    /// Readable detail naming the field or thing concerned.
    package let message: String

    /// An error with its status, reason and message.
    package init(_ code: StatusCode, reason: String, _ message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    /// The error as answered on the wire.
    package var rpcError: RPCError { RPCError(code, message, reason: reason) }

    /// A request field is missing or malformed; `field` is named in the message.
    package static func invalid(_ field: String, _ problem: String, reason: String = "invalid_argument") -> EmailError {
        EmailError(.invalidArgument, reason: reason, "\(field) \(problem)")
    }

    /// The thing does not exist, or belongs to someone the caller may not see.
    package static func notFound(_ what: String) -> EmailError {
        EmailError(.notFound, reason: "not_found", "\(what) not found")
    }

    /// The agent is revoked: its aliases stay disabled and it gets no new ones.
    package static let agentRevoked = EmailError(
        .failedPrecondition, reason: "agent_revoked", "the agent is revoked; its addresses are disabled")

    /// Another alias already has this address.
    package static let addressTaken = EmailError(.alreadyExists, reason: "address_taken", "the address is already taken")

    /// Tenant admins read mail only where the tenant sets `admin_can_read_mail`.
    package static let adminMailAccessDisabled = EmailError(
        .permissionDenied, reason: "admin_mail_access_disabled",
        "this tenant does not let its admins read agents' mail (admin_can_read_mail is off)")

    /// Identity could not be asked for an agent or tenant.
    package static func directoryUnavailable(_ detail: String) -> EmailError {
        EmailError(.unavailable, reason: "identity_unavailable", "identity is unavailable: \(detail)")
    }
}
