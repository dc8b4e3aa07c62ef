/// The error every call reports, on both sides of the wire: a status code, a
/// human-readable message, an optional stable snake_case `reason` (sent as
/// `reason` metadata) and extra metadata.
///
/// Handlers throw it to choose the status a client sees; clients receive it for
/// every non-OK response and for transport failures (`UNAVAILABLE`,
/// `DEADLINE_EXCEEDED`, `CANCELLED`).
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var reason: String?
    public var metadata: Metadata

    public init(_ code: StatusCode, _ message: String, reason: String? = nil, metadata: Metadata = [:]) {
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata = metadata
    }

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
