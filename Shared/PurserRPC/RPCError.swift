/// The one error of every call, on both sides of the wire and in every
/// service: a status code, a human-readable message, a stable snake_case
/// `reason` (sent as `reason` metadata), extra metadata and, on the side that
/// raised it, an optional underlying `cause` (never sent).
///
/// Handlers throw it to choose the status a client sees (the service host maps
/// any other failure once, at the edge); clients receive it for every non-OK
/// response and for transport failures (`UNAVAILABLE`, `DEADLINE_EXCEEDED`,
/// `CANCELLED`). The shape is grpc-swift-2's `RPCError`.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var reason: String?
    public var metadata: Metadata
    /// The failure that led to this error, for logs; not sent on the wire and
    /// not part of equality.
    public var cause: (any Error)?

    public init(
        _ code: StatusCode, _ message: String, reason: String? = nil, metadata: Metadata = [:], cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata = metadata
        self.cause = cause
    }

    /// Equal when code, message, reason and metadata are; the cause is ignored.
    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.reason == rhs.reason && lhs.metadata == rhs.metadata
    }

    /// Hashes code, message and reason (equal errors hash alike).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(reason)
    }

    /// `CODE: message (reason: r)`; the cause is left out, so a message built
    /// from another error's description reads the same on both sides of the wire.
    public var description: String {
        var text = "\(code.name): \(message)"
        if let reason { text += " (reason: \(reason))" }
        return text
    }

    /// Metadata as sent on the wire: `metadata` plus `reason` when set.
    var wireMetadata: Metadata {
        guard let reason else { return metadata }
        var all = metadata
        all["reason"] = reason
        return all
    }
}

extension RPCError {
    /// INVALID_ARGUMENT: a request field is missing or malformed (`invalid_argument` unless a narrower reason applies).
    public static func invalidArgument(
        _ message: String, reason: String = "invalid_argument", metadata: Metadata = [:]
    ) -> RPCError {
        RPCError(.invalidArgument, message, reason: reason, metadata: metadata)
    }

    /// INVALID_ARGUMENT naming the field: the message reads `field: problem`.
    public static func invalid(_ field: String, _ problem: String, reason: String = "invalid_argument") -> RPCError {
        RPCError(.invalidArgument, "\(field): \(problem)", reason: reason)
    }

    /// NOT_FOUND: the thing does not exist or lies outside the caller's reach
    /// (never revealing which). The message reads `what not found`.
    public static func notFound(_ what: String) -> RPCError {
        RPCError(.notFound, "\(what) not found", reason: "not_found")
    }

    /// NOT_FOUND with the message `not found`, naming nothing.
    public static let notFound = RPCError(.notFound, "not found", reason: "not_found")

    /// ALREADY_EXISTS: a unique value is taken.
    public static func alreadyExists(_ message: String, reason: String, metadata: Metadata = [:]) -> RPCError {
        RPCError(.alreadyExists, message, reason: reason, metadata: metadata)
    }

    /// FAILED_PRECONDITION: the state of the thing forbids the call.
    public static func failedPrecondition(_ message: String, reason: String, metadata: Metadata = [:]) -> RPCError {
        RPCError(.failedPrecondition, message, reason: reason, metadata: metadata)
    }

    /// PERMISSION_DENIED: the caller may not do this (`permission_denied` unless narrower).
    public static func permissionDenied(_ message: String, reason: String = "permission_denied") -> RPCError {
        RPCError(.permissionDenied, message, reason: reason)
    }

    /// UNAUTHENTICATED: the credential does not authenticate; `reason` says why.
    public static func unauthenticated(_ message: String, reason: String) -> RPCError {
        RPCError(.unauthenticated, message, reason: reason)
    }

    /// UNAVAILABLE: a dependency (PostgreSQL, a peer) cannot be reached; retry later.
    public static func unavailable(_ message: String, reason: String = "unavailable", cause: (any Error)? = nil) -> RPCError {
        RPCError(.unavailable, message, reason: reason, cause: cause)
    }

    /// INTERNAL: a defect or an impossible state; the message is for logs.
    public static func `internal`(_ message: String, reason: String = "internal", cause: (any Error)? = nil) -> RPCError {
        RPCError(.internal, message, reason: reason, cause: cause)
    }
}
