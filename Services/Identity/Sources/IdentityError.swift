import PurserRPC

/// The failures of Identity's handlers, each with a gRPC status and a stable
/// snake_case `reason`; converted to `RPCError` once, at the edge.
package struct IdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    package let code: StatusCode
    package let reason: String
    package let message: String

    /// An error answered with `code`, `reason` metadata and `message`.
    package init(_ code: StatusCode, reason: String, _ message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    package var description: String { "\(reason): \(message)" }

    /// The error as the RPC layer sends it.
    package var rpcError: RPCError { RPCError(code, message, reason: reason) }

    /// A field failed validation; the message names the field.
    package static func invalid(_ field: String, _ problem: String, reason: String = "invalid_argument") -> IdentityError {
        IdentityError(.invalidArgument, reason: reason, "\(field): \(problem)")
    }

    /// The target does not exist or lies outside the caller's reach (never revealing which).
    package static func notFound(_ what: String) -> IdentityError {
        IdentityError(.notFound, reason: "not_found", "\(what) not found")
    }

    /// A unique value is taken.
    package static func alreadyExists(_ what: String, reason: String) -> IdentityError {
        IdentityError(.alreadyExists, reason: reason, "\(what) already exists")
    }

    /// The secret does not authenticate (wrong, expired, revoked or suspended); `reason` says which.
    package static func unauthenticated(_ reason: String, _ message: String) -> IdentityError {
        IdentityError(.unauthenticated, reason: reason, message)
    }
}
