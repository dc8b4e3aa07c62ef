import PurserKit
import PurserRPC

/// Why a client call failed, as the service said it: the status, its
/// message, the stable `reason` (e.g. `insufficient_funds`, `limit_exceeded`,
/// `agent_revoked`, `idempotency_conflict`) and, for policy denials, the rule
/// that refused and the headroom left under it.
public struct PurserClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: StatusCode
    public let message: String
    /// Stable snake_case reason; `nil` when the failure carried none.
    public let reason: String?
    /// Every metadata entry of the failed response.
    public let metadata: Metadata

    /// An error with the given status, message, reason and metadata.
    public init(code: StatusCode, message: String, reason: String? = nil, metadata: Metadata = [:]) {
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata = metadata
    }

    /// The failure an `RPCClient` reported.
    public init(_ error: RPCError) {
        self.init(code: error.code, message: error.message, reason: error.reason ?? error.metadata["reason"], metadata: error.metadata)
    }

    /// The policy rule that refused (metadata `rule`), e.g. `daily`, `per_call_max`.
    public var rule: String? { metadata["rule"] }

    /// How much the refused rule still allows (metadata `headroom_micros`).
    public var headroom: Money? {
        guard let text = metadata["headroom_micros"], let micros = Int64(text) else { return nil }
        return Money(micros: micros)
    }

    /// Whether the service refused the call on its merits (policy, funds,
    /// state, permissions) rather than failing to process it.
    public var isDenial: Bool {
        switch code {
        case .failedPrecondition, .permissionDenied, .resourceExhausted, .outOfRange, .alreadyExists, .notFound:
            true
        default:
            false
        }
    }

    public var description: String {
        var text = "\(code.name): \(message)"
        if let reason { text += " (reason: \(reason))" }
        if let rule { text += " (rule: \(rule))" }
        if let headroom { text += " (headroom: \(headroom))" }
        return text
    }
}
