import PurserWire

/// A method's full name, its message types and whether it is safe to retry.
///
/// `idempotent` methods are retried by `RPCClient` after a broken connection;
/// others only when the call carries `idempotency-key` metadata.
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable {
    /// `package.Service/Method`, e.g. `purser.wallet.v1.Wallet/Authorize`.
    public let fullName: String
    public let idempotent: Bool

    public init(_ fullName: String, idempotent: Bool = false) {
        self.fullName = fullName
        self.idempotent = idempotent
    }
}

extension MethodDescriptor {
    /// The request `bytes` encode. The one decode path of every server (typed
    /// router handlers and the service host alike): bytes that are not a valid
    /// encoding of `Request` are INVALID_ARGUMENT `malformed_request`.
    public func decodeRequest(_ bytes: [UInt8]) throws(RPCError) -> Request {
        do {
            return try Request(serializedBytes: bytes)
        } catch {
            throw RPCError(
                .invalidArgument, "the request message cannot be decoded: \(error)", reason: "malformed_request", cause: error)
        }
    }
}

extension RPCRouter {
    /// Registers a typed handler. A request that does not decode is answered
    /// `INVALID_ARGUMENT` (reason `malformed_request`) without calling `handler`.
    public func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        register(method.fullName, Self.typedHandler(method, handler))
    }

    static func typedHandler<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> Handler {
        { bytes, context in
            let request = try method.decodeRequest(bytes)
            return try await handler(request, context).serializedBytes()
        }
    }
}
