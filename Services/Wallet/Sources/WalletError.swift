/// Every failure the Wallet reports, inside the service and to its callers: a
/// status, a stable snake_case `reason` (e.g. `insufficient_funds`,
/// `limit_exceeded`, `idempotency_conflict`), a message for humans and the
/// details a caller needs to act on a denial (`available_micros`, `rule`,
/// `headroom_micros`). Mapped to an RPC status once, at the edge.
package struct WalletError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure, named after the gRPC status it maps to.
    package enum Code: String, Sendable, Equatable {
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case failedPrecondition = "failed_precondition"
        case permissionDenied = "permission_denied"
        case unauthenticated = "unauthenticated"
        case unavailable = "unavailable"
        case `internal` = "internal"
    }

    package var code: Code
    package var reason: String
    package var message: String
    /// Extra facts about a denial, sorted by key (sent as response metadata).
    package var details: [String: String]

    package init(_ code: Code, reason: String, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    package var description: String { "\(code.rawValue)/\(reason): \(message)" }

    /// A request field that is missing or malformed; `field` is named in the message.
    package static func invalid(_ field: String, _ problem: String, reason: String = "invalid_argument") -> WalletError {
        WalletError(.invalidArgument, reason: reason, "\(field): \(problem)")
    }

    /// An id that does not exist for this caller (never reveals whether it exists for another).
    package static func notFound(_ what: String) -> WalletError {
        WalletError(.notFound, reason: "not_found", "\(what) not found")
    }

    /// The caller's principal may not call this method.
    package static func permissionDenied(_ message: String) -> WalletError {
        WalletError(.permissionDenied, reason: "permission_denied", message)
    }

    /// This denial as a payee may read it: the payer's balance and the headroom
    /// left under its limits (`available_micros`, `headroom_micros`,
    /// `headroom_count`, `remaining_count`) removed, and a message that names
    /// no figure. The reason and the rule stay, so the payee knows why.
    package var forPayee: WalletError {
        var details = self.details
        for key in ["available_micros", "headroom_micros", "headroom_count", "remaining_count"] { details[key] = nil }
        return WalletError(code, reason: reason, "the agent cannot pay this charge (\(reason))", details: details)
    }

    /// PostgreSQL (or a peer) cannot be reached.
    package static func unavailable(_ message: String) -> WalletError {
        WalletError(.unavailable, reason: "unavailable", message)
    }
}
